using ServerlessRegistry.Events.Replication;

namespace ServerlessRegistry.Events.Tests.Replication;

public sealed class DestinationChallengeTests
{
    [Theory]
    [InlineData("realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"", "https://auth.example/token", "registry.example", "repository:a/b:pull,push")]
    [InlineData("realm=https://auth.example/token, service=registry.example", "https://auth.example/token", "registry.example", null)]
    [InlineData("Realm=\"r\",SERVICE=\"s\",scope=\"x\\\"y\"", "r", "s", "x\"y")]
    [InlineData("realm=\"first\",realm=\"second\"", "first", null, null)]
    [InlineData("", null, null, null)]
    [InlineData("garbage", null, null, null)]
    public void ParsesAuthParameters(string text, string? realm, string? service, string? scope)
    {
        var challenge = new DestinationChallenge("Bearer", DestinationChallenge.Parse(text));
        Assert.Equal(realm, challenge["realm"]);
        Assert.Equal(service, challenge["service"]);
        Assert.Equal(scope, challenge["scope"]);
    }
}
