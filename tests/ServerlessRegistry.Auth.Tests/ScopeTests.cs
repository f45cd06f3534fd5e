using ServerlessRegistry.Cli;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>The scope grammar (distribution's scope.md), policy patterns and CLI lifetimes: pure parsing.</summary>
public sealed class ScopeTests
{
    [Theory]
    [InlineData("repository:team/app:pull", "repository", "team/app", "pull")]
    [InlineData("repository:team/app:pull,push", "repository", "team/app", "pull,push")]
    [InlineData("repository:team/app:*", "repository", "team/app", "pull,push,delete")]
    [InlineData("repository:localhost:5000/team/app:pull", "repository", "localhost:5000/team/app", "pull")]
    [InlineData("repository(plugin):team/app:pull", "repository", "team/app", "pull")]
    [InlineData("repository:team/app:push", "repository", "team/app", "pull,push")]
    [InlineData("repository:team/app:frobnicate", "repository", "team/app", "")]
    [InlineData("registry:catalog:*", "registry", "catalog", "pull,push,delete")]
    public void ParsesScopes(string text, string type, string name, string actions)
    {
        Assert.True(RegistryScope.TryParse(text, out var scope));
        Assert.Equal((type, name, actions), (scope.Type, scope.Name, RegistryScope.FormatActions(scope.Actions)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("repository")]
    [InlineData("repository:app")]
    [InlineData(":app:pull")]
    public void RejectsMalformedScopes(string text) => Assert.False(RegistryScope.TryParse(text, out _));

    [Fact]
    public void SplitsSpaceSeparatedAndRepeatedScopes() =>
        Assert.Equal(3, RegistryScope.ParseAll(["repository:a:pull repository:b:push", "registry:catalog:*", null]).Count);

    [Theory]
    [InlineData("team/*", "team/app", true)]
    [InlineData("team/*", "team/app/sub", true)]
    [InlineData("team/*", "teams/app", false)]
    [InlineData("team/app", "team/app", true)]
    [InlineData("team/app", "team/app2", false)]
    [InlineData("*", "anything/at/all", true)]
    public void MatchesRepositoryPatterns(string pattern, string repository, bool matches) =>
        Assert.Equal(matches, new Grant(pattern, RegistryActions.Pull).Matches(repository));

    [Fact]
    public void GrantsRoundTripThroughClaimValues()
    {
        Assert.True(Grant.TryParse(new Grant("team/*", RegistryActions.Pull | RegistryActions.Push).ToString(), out var grant));
        Assert.Equal(new Grant("team/*", RegistryActions.Pull | RegistryActions.Push), grant);
    }

    [Theory]
    [InlineData("Registry.Pull", "pull")]
    [InlineData("Registry.Push", "pull,push")]
    [InlineData("Registry.Delete", "pull,delete")]
    [InlineData("Registry.Admin", "pull,push,delete,admin")]
    [InlineData("Something.Else", "")]
    public void MapsAppRolesToActions(string role, string actions) =>
        Assert.Equal(actions, RegistryScope.FormatActions(EntraValidator.RoleActions(role)));

    [Theory]
    [InlineData("30d", 30 * 24 * 60)]
    [InlineData("12h", 12 * 60)]
    [InlineData("90m", 90)]
    [InlineData("1.00:00:00", 24 * 60)]
    public void ParsesTokenLifetimes(string text, int minutes)
    {
        Assert.True(TokenCommands.TryParseLifetime(text, out var lifetime));
        Assert.Equal(TimeSpan.FromMinutes(minutes), lifetime);
    }

    [Theory]
    [InlineData("0d")]
    [InlineData("-1d")]
    [InlineData("soon")]
    public void RejectsBadLifetimes(string text) => Assert.False(TokenCommands.TryParseLifetime(text, out _));
}
