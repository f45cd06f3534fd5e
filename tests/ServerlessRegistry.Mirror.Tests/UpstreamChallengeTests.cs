using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror.Tests;

public sealed class UpstreamChallengeTests
{
    [Theory]
    [InlineData("realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\",scope=\"repository:library/nginx:pull\"",
        "https://auth.docker.io/token", "registry.docker.io", "repository:library/nginx:pull")]
    [InlineData("realm=\"https://ghcr.io/token\",service=\"ghcr.io\",scope=\"repository:a/b:pull,push\"", "https://ghcr.io/token", "ghcr.io", "repository:a/b:pull,push")]
    [InlineData("Realm=https://r/token, Service=svc", "https://r/token", "svc", null)]
    [InlineData("realm=\"a\\\"b\"", "a\"b", null, null)]
    [InlineData("", null, null, null)]
    [InlineData("realm", null, null, null)]
    public void ParsesAuthParameters(string text, string? realm, string? service, string? scope)
    {
        var parameters = UpstreamChallenge.ParseParameters(text);
        var challenge = new UpstreamChallenge("Bearer", parameters);

        Assert.Equal(realm, challenge["realm"]);
        Assert.Equal(service, challenge["service"]);
        Assert.Equal(scope, challenge["scope"]);
    }

    [Fact]
    public void PrefersBearerOverBasic()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Basic realm=\"x\"");
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"https://r/token\",service=\"s\"");

        var challenge = UpstreamChallenge.From(response.Headers);

        Assert.NotNull(challenge);
        Assert.True(challenge.IsBearer);
        Assert.Equal("https://r/token", challenge["realm"]);
    }
}
