using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Policies;

namespace ServerlessRegistry.Policies.Tests;

public sealed class PatternTests
{
    [Theory]
    [InlineData("team/*", "team/app", true)]
    [InlineData("team/*", "team/app/x", false)]
    [InlineData("team/**", "team/app/x", true)]
    [InlineData("team/**", "team", false)]
    [InlineData("**", "a/b/c", true)]
    [InlineData("v*", "v1.2", true)]
    [InlineData("v*", "latest", false)]
    [InlineData("release-?", "release-1", true)]
    [InlineData("a.b", "aXb", false)]
    public void Globs_match_as_documented(string pattern, string value, bool expected) =>
        Assert.Equal(expected, Pattern.Matches(pattern, value));
}
