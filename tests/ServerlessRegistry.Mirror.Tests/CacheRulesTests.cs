using ServerlessRegistry.Mirror;

namespace ServerlessRegistry.Mirror.Tests;

public sealed class CacheRulesTests
{
    private static CacheRules Rules(params (string Local, string Upstream)[] rules) =>
        CacheRules.Parse([.. rules.Select(r => new CacheRuleSettings { Local = r.Local, Upstream = r.Upstream })]);

    [Theory]
    [InlineData("docker.io/library/nginx", "https://registry-1.docker.io", "library/nginx")]
    [InlineData("docker.io/nginx", "https://registry-1.docker.io", "library/nginx")]
    [InlineData("docker.io/bitnami/redis", "https://registry-1.docker.io", "bitnami/redis")]
    [InlineData("ghcr.io/owner/tool", "https://ghcr.io", "owner/tool")]
    [InlineData("ghcr.io/tool", "https://ghcr.io", "tool")]
    [InlineData("hub/nginx", "https://registry-1.docker.io", "library/nginx")]
    [InlineData("lab/base/ubuntu", "http://127.0.0.1:5000", "mirrors/ubuntu")]
    public void MapsALocalRepositoryToItsUpstream(string repository, string registry, string upstream)
    {
        var rules = Rules(("docker.io/*", "https://registry-1.docker.io/*"), ("ghcr.io/*", "ghcr.io/*"), ("hub/nginx", "docker.io/library/nginx"),
            ("lab/base/*", "http://127.0.0.1:5000/mirrors/*"));

        var target = rules.Match(repository);

        Assert.NotNull(target);
        Assert.Equal(new Uri(registry), target.Value.Rule.Registry);
        Assert.Equal(upstream, target.Value.Repository);
    }

    [Theory]
    [InlineData("docker.io")]
    [InlineData("docker.iox/nginx")]
    [InlineData("hub/nginx2")]
    [InlineData("hub/nginx/extra")]
    [InlineData("local/app")]
    public void LeavesRepositoriesNoRuleServes(string repository)
    {
        var rules = Rules(("docker.io/*", "docker.io/*"), ("hub/nginx", "docker.io/library/nginx"));

        Assert.Null(rules.Match(repository));
    }

    [Fact]
    public void TheLongestPrefixWins()
    {
        var rules = Rules(("mirror/*", "http://one.example/*"), ("mirror/special/*", "http://two.example/x/*"));

        Assert.Equal("one.example/a/b", rules.Match("mirror/a/b").ToString());
        Assert.Equal("two.example/x/b", rules.Match("mirror/special/b").ToString());
    }

    [Theory]
    [InlineData("docker.io", "library/nginx", "docker.io/library/nginx")]
    [InlineData("DOCKER.IO", "library/nginx", "docker.io/library/nginx")]
    [InlineData("ghcr.io", "owner/tool", "gh/owner/tool")]
    [InlineData("docker.io", "docker.io/library/nginx", "docker.io/library/nginx")]
    [InlineData("quay.io", "library/nginx", "library/nginx")]
    [InlineData(null, "library/nginx", "library/nginx")]
    public void MapsContainerdNamespaceToTheRulePrefix(string? ns, string repository, string expected)
    {
        var rules = Rules(("docker.io/*", "docker.io/*"), ("gh/*", "https://ghcr.io/*"));

        Assert.Equal(expected, rules.MapNamespace(ns, repository));
    }

    [Fact]
    public void AnExplicitNamespaceOverridesTheHost()
    {
        var rules = CacheRules.Parse([new CacheRuleSettings { Local = "up/*", Upstream = "http://127.0.0.1:5000/*", Namespace = "registry.lab" }]);

        Assert.Equal("up/team/app", rules.MapNamespace("registry.lab", "team/app"));
        Assert.Equal("team/app", rules.MapNamespace("127.0.0.1:5000", "team/app"));
    }

    [Theory]
    [InlineData("Docker.io/*", "docker.io/*", "Local")]
    [InlineData("docker.io/*", "docker.io/library/nginx", "both end in /*")]
    [InlineData("hub/nginx", "docker.io/*", "both end in /*")]
    [InlineData("hub/nginx", "https://registry-1.docker.io", "must name a repository")]
    [InlineData("x/*", "ftp://example/*", "must look like")]
    [InlineData("x/*", "https://user:secret@example/*", "Username and Password")]
    [InlineData("x/*", "https://example/Bad/*", "not a repository name")]
    public void RefusesABadRuleNamingTheSetting(string local, string upstream, string message)
    {
        var e = Assert.Throws<ArgumentException>(() => Rules((local, upstream)));

        Assert.Contains("Mirror:Rules:0", e.Message);
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain("secret", e.Message);
    }

    [Fact]
    public void RefusesTwoRulesForOnePrefixAndAPasswordWithoutUser()
    {
        Assert.Contains("already served", Assert.Throws<ArgumentException>(() => Rules(("a/*", "one.example/*"), ("a/*", "two.example/*"))).Message);
        Assert.Contains("together", Assert.Throws<ArgumentException>(() =>
            CacheRules.Parse([new CacheRuleSettings { Local = "a/*", Upstream = "one.example/*", Password = "p" }])).Message);
    }

    [Fact]
    public void DescribesARuleWithoutItsSecret()
    {
        var rules = CacheRules.Parse([new CacheRuleSettings { Local = "docker.io/*", Upstream = "docker.io/*", Username = "me", Password = "s3cret" }]);

        Assert.Equal("docker.io/* -> https://registry-1.docker.io/*", rules.All[0].ToString());
        Assert.True(rules.All[0].HasCredentials);
    }
}
