using ServerlessRegistry.Events;
using ServerlessRegistry.Events.Replication;

namespace ServerlessRegistry.Events.Tests.Replication;

public sealed class ReplicationOptionsTests
{
    private static ReplicationOptions Good() => new() { Name = "backup", Destination = new Uri("https://registry.example.com"), Repositories = ["team/**"] };

    [Fact]
    public void GoodRulesPass()
    {
        Assert.Null(ReplicationOptionsCheck.Problem([Good(), Other("second", new Uri("http://127.0.0.1:5000"))]));
        Assert.Null(ReplicationOptionsCheck.Problem([Other("local", new Uri("http://localhost:5000"))]));
    }

    [Theory]
    [InlineData("name", "Events:Replication:0:Name is required")]
    [InlineData("name-chars", "Events:Replication:0:Name 'a b' may hold only")]
    [InlineData("duplicate", "Events:Replication:1:Name 'BACKUP' is used by another replication rule")]
    [InlineData("no-url", "Events:Replication:0:Destination must be the destination registry's URL")]
    [InlineData("ftp", "Events:Replication:0:Destination must be the destination registry's URL")]
    [InlineData("http", "Events:Replication:0:Destination http://registry.example.com must use https (http is allowed only on loopback).")]
    [InlineData("path", "Events:Replication:0:Destination must be the registry's base URL without path")]
    [InlineData("no-repositories", "Events:Replication:0:Repositories must list at least one repository pattern")]
    [InlineData("bad-pattern", "Events:Replication:0:Repositories: pattern 'team/***' has '***'")]
    [InlineData("bad-tag", "Events:Replication:0:Tags: a pattern must not be empty")]
    [InlineData("namespace", "Events:Replication:0:Namespace 'Backup' is not a repository name prefix")]
    [InlineData("username", "Events:Replication:0:Username is set without a Password.")]
    [InlineData("password", "Events:Replication:0:Password is set without a Username.")]
    public void EachMistakeIsOneLineNamingTheKey(string mistake, string expected)
    {
        var rule = Good();
        List<ReplicationOptions> rules = [rule];
        switch (mistake)
        {
            case "name": rule.Name = " "; break;
            case "name-chars": rule.Name = "a b"; break;
            case "duplicate": rules.Add(Other("BACKUP", rule.Destination!)); break;
            case "no-url": rule.Destination = null; break;
            case "ftp": rule.Destination = new Uri("ftp://registry.example.com"); break;
            case "http": rule.Destination = new Uri("http://registry.example.com"); break;
            case "path": rule.Destination = new Uri("https://registry.example.com/v2/"); break;
            case "no-repositories": rule.Repositories = []; break;
            case "bad-pattern": rule.Repositories = ["team/***"]; break;
            case "bad-tag": rule.Tags = [""]; break;
            case "namespace": rule.Namespace = "Backup"; break;
            case "username": rule.Username = "robot"; break;
            case "password": rule.Password = "secret"; break;
        }

        var problem = ReplicationOptionsCheck.Problem(rules);
        Assert.NotNull(problem);
        Assert.StartsWith(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Theory]
    [InlineData("team/**", "team/app/x", "", true)]
    [InlineData("team/*", "team/app/x", "", false)]
    [InlineData("**", "anything", "v1", true)]
    [InlineData("**", "anything", "latest", false)]
    public void RuleMatchesRepositoriesAndTags(string repositories, string repository, string tags, bool expected)
    {
        var rule = new ReplicationRule(new ReplicationOptions
        {
            Name = "r", Destination = new Uri("https://x.example"), Repositories = [repositories], Tags = tags.Length == 0 ? [] : ["v*", "1.*"],
        });
        Assert.Equal(expected, rule.MatchesRepository(repository) && rule.MatchesTag(tags.Length == 0 ? "latest" : tags));
    }

    private static ReplicationOptions Other(string name, Uri destination) => new() { Name = name, Destination = destination, Repositories = ["**"] };
}
