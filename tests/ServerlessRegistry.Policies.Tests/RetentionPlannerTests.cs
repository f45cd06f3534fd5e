using ServerlessRegistry.Policies.Retention;
using static ServerlessRegistry.Policies.Tests.RetentionRows;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>Each keep criterion alone and combined, on a partition built by hand (no storage).</summary>
public sealed class RetentionPlannerTests
{
    [Fact]
    public async Task LastPushedKeepsTheNewestTagsInScope()
    {
        var rows = new RetentionRows();
        for (var i = 1; i <= 5; i++)
        {
            rows.Tag($"v{i}", 10 - i);
        }

        var plan = await rows.PlanAsync(Rule("recent", new RetentionKeep(LastPushed: 2)));
        Assert.Equal(["v1", "v2", "v3"], plan.DeletedTags());
        Assert.Equal("not among the 2 most recently pushed (3rd); pushed 2026-11-24; never pulled", plan.Reason("v3", "recent"));
        Assert.Equal(3, plan.Manifests.Count);
    }

    [Fact]
    public async Task LastPulledRanksByPullAndANeverPulledTagByItsPush()
    {
        var rows = new RetentionRows();
        var old = rows.Tag("old", 50);
        rows.Tag("fresh", 3);
        rows.Tag("stale", 40);
        rows.Pulled(old, 2);

        var plan = await rows.PlanAsync(Rule("pulled", new RetentionKeep(LastPulled: 2)));
        Assert.Equal(["stale"], plan.DeletedTags());
        Assert.StartsWith("not among the 2 most recently pulled (3rd)", plan.Reason("stale", "pulled"));
    }

    [Fact]
    public async Task PushedWithinAndPulledWithinKeepByAge()
    {
        var rows = new RetentionRows();
        rows.Tag("new", 5);
        var pulled = rows.Tag("pulled", 90);
        rows.Tag("old", 90);
        rows.Pulled(pulled, 10);

        Assert.Equal(["old", "pulled"], (await rows.PlanAsync(Rule("pushed", new RetentionKeep(PushedWithin: TimeSpan.FromDays(30))))).DeletedTags());
        var byPull = await rows.PlanAsync(Rule("used", new RetentionKeep(PulledWithin: TimeSpan.FromDays(30))));
        Assert.Equal(["old"], byPull.DeletedTags());
        Assert.Contains("not pulled within 30d", byPull.Reason("old", "used"));
    }

    [Fact]
    public async Task MatchingAndNotMatchingKeepByName()
    {
        var rows = new RetentionRows();
        rows.Tag("v1.0", 90);
        rows.Tag("dev-1", 90);
        rows.Tag("main", 90);

        var matching = await rows.PlanAsync(Rule("releases", new RetentionKeep(Matching: ["v*", "main"])));
        Assert.Equal(["dev-1"], matching.DeletedTags());
        Assert.Equal("matches none of 'v*', 'main'; pushed 2026-09-02; never pulled", matching.Reason("dev-1", "releases"));
        var notMatching = await rows.PlanAsync(Rule("no-dev", new RetentionKeep(NotMatching: ["dev-*"])));
        Assert.Equal(["dev-1"], notMatching.DeletedTags());
        Assert.StartsWith("matches 'dev-*'", notMatching.Reason("dev-1", "no-dev"));
    }

    [Fact]
    public async Task AlwaysKeepsAndATagNoRuleCoversIsKept()
    {
        var rows = new RetentionRows();
        rows.Tag("v1", 90);
        rows.Tag("dev-1", 90);

        Assert.Empty((await rows.PlanAsync(Rule("all", new RetentionKeep(Always: true)))).DeletedTags());
        var scoped = await rows.PlanAsync(Rule("dev", new RetentionKeep(LastPushed: 0), tags: "dev-*"));
        Assert.Equal(["dev-1"], scoped.DeletedTags());
        Assert.Contains(scoped.Kept, v => v.Tag == "v1" && v.Rule == "(no rule)");
    }

    [Fact]
    public async Task CriteriaCombineByOrWithinARuleAndAcrossRules()
    {
        var rows = new RetentionRows();
        rows.Tag("v1", 90);
        rows.Tag("v2", 80);
        rows.Tag("dev-1", 70);
        rows.Tag("dev-2", 5);

        var oneRule = await rows.PlanAsync(Rule("mixed", new RetentionKeep(LastPushed: 1, Matching: ["v1"])));
        Assert.Equal(["dev-1", "v2"], oneRule.DeletedTags());

        var twoRules = await rows.PlanAsync(
            Rule("recent", new RetentionKeep(PushedWithin: TimeSpan.FromDays(30))),
            Rule("releases", new RetentionKeep(Matching: ["v*"]), tags: "v*"));
        Assert.Equal(["dev-1"], twoRules.DeletedTags());
        var v2 = await rows.PlanAsync(Rule("recent", new RetentionKeep(LastPushed: 1)), Rule("old", new RetentionKeep(PushedWithin: TimeSpan.FromDays(85))));
        Assert.DoesNotContain("v2", v2.DeletedTags());
        var both = v2.Tags.Single(t => t.Tag == "v1").Verdicts;
        Assert.Equal(["old", "recent"], both.Select(v => v.Rule).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UntaggedManifestsGoOnlyWhenPushAndLastPullAreOlderThanTheirTimeToLive()
    {
        var rows = new RetentionRows();
        var old = rows.Image("old", 40);
        var recentlyPulled = rows.Image("pulled", 40);
        var young = rows.Image("young", 10);
        rows.Pulled(recentlyPulled, 5);
        rows.Tag("v1", 40);

        var without = await rows.PlanAsync(Rule("keep", new RetentionKeep(Always: true)));
        Assert.Empty(without.Manifests);
        var plan = await rows.PlanAsync(Rule("ttl", new RetentionKeep(Always: true), untaggedAfter: TimeSpan.FromDays(30)));
        Assert.Equal([old], plan.DeletedManifests());
        Assert.DoesNotContain(young, plan.DeletedManifests());
        Assert.Contains("untagged, pushed 2026-10-22, never pulled: over 30d ago", plan.Manifests.Single().Verdicts.Single().Reason);
    }

    [Fact]
    public async Task ChildrenOfAKeptIndexStayAndChildrenOfADeletedIndexGoWithIt()
    {
        var rows = new RetentionRows();
        var keptChild = rows.Image("kept-child", 60);
        var goneChild = rows.Image("gone-child", 60);
        var shared = rows.Image("shared-child", 60);
        rows.Tag("keep", 60, rows.Index("kept-index", 60, keptChild, shared));
        var goneIndex = rows.Tag("gone", 60, rows.Index("gone-index", 60, goneChild, shared));

        var plan = await rows.PlanAsync(Rule("main", new RetentionKeep(Matching: ["keep"])));
        Assert.Equal(["gone"], plan.DeletedTags());
        Assert.Equal([goneIndex, goneChild], plan.DeletedManifests());
        Assert.Equal([goneIndex], plan.Manifests.Single(m => m.Digest == goneChild).After);
        Assert.Contains($"child of index {goneIndex}, which is deleted", plan.Manifests.Single(m => m.Digest == goneChild).Verdicts.Single().Reason);
    }

    [Fact]
    public async Task ATaggedChildWaitsForItsIndexAndAReferrerGoesWithItsSubject()
    {
        var rows = new RetentionRows();
        var child = rows.Tag("v1-amd64", 60);
        var index = rows.Tag("v1", 60, rows.Index("v1-index", 60, child));
        var signature = rows.Tag("v1-sig", 60, rows.Image("v1-sig", 60, index));

        var plan = await rows.PlanAsync(Rule("main", new RetentionKeep(Matching: ["none"])));
        Assert.Equal([index, child, signature], plan.DeletedManifests());
        Assert.Equal([index], plan.Manifests.Single(m => m.Digest == child).After);
        Assert.Equal(index, plan.Manifests.Single(m => m.Digest == signature).Subject);
        Assert.Empty(plan.Manifests.Single(m => m.Digest == signature).After);
    }

    [Fact]
    public async Task ReferrersGoWithTheirSubjectUnlessAKeptTagKeepsThemAndThenTheSubject()
    {
        var rows = new RetentionRows();
        var subject = rows.Tag("old", 60);
        var signature = rows.Image("signature", 60, subject);
        var keptSubject = rows.Tag("old2", 60);
        rows.Tag("sbom", 60, rows.Image("sbom", 60, keptSubject));

        var plan = await rows.PlanAsync(Rule("main", new RetentionKeep(Matching: ["sbom"])));
        Assert.Equal(["old", "old2"], plan.DeletedTags());
        Assert.Equal([subject, signature], plan.DeletedManifests());
        var withReferrer = plan.Manifests.Single(m => m.Digest == signature);
        Assert.NotNull(withReferrer.Referrer);
        Assert.Contains($"referrer of {subject}", withReferrer.Verdicts.Single().Reason);
        Assert.DoesNotContain(keptSubject, plan.DeletedManifests());
    }

    [Fact]
    public async Task LocksImmutableRulesAndTheGracePeriodAreRespected()
    {
        var rows = new RetentionRows();
        rows.Tag("immutable-1", 90);
        rows.Tag("locked", 90);
        var pinned = rows.Tag("pinned", 90);
        var undeletable = rows.Tag("undeletable", 90);
        rows.Tag("young", 0.5);
        rows.Tag("gone", 90);
        var locks = new List<ItemLock>
        {
            new(new LockTarget("team/app", Tag: "locked"), NoWrite: false, NoDelete: true, Now),
            new(new LockTarget("team/app", Digest: pinned), NoWrite: true, NoDelete: false, Now),
            new(new LockTarget("team/app", Digest: undeletable), NoWrite: false, NoDelete: true, Now),
        };
        var rules = new[] { Rule("none", new RetentionKeep(LastPushed: 0)) };
        var plan = await rows.PlanAsync(new PolicySet(rules, [new ImmutableRule("frozen", "team/*", "immutable-*")], [], locks));
        Assert.Equal(["gone", "undeletable"], plan.DeletedTags());
        Assert.Equal([Digest("gone")], plan.DeletedManifests());
        Assert.Contains(plan.Kept, v => v.Tag == "immutable-1" && v.Reason == "immutable by rule 'frozen'");
        Assert.Contains(plan.Kept, v => v.Tag == "young" && v.Reason.StartsWith("pushed within the grace period", StringComparison.Ordinal));
        Assert.Contains(plan.Kept, v => v.Tag is null && v.Digest == undeletable && v.Reason == "manifest is locked (no-delete)");

        var repositoryLock = new ItemLock(new LockTarget("team/app"), NoWrite: false, NoDelete: true, Now);
        var locked = await rows.PlanAsync(new PolicySet(rules, [], [], [repositoryLock]));
        Assert.Empty(locked.Tags);
        Assert.Empty(locked.Manifests);
    }

    [Fact]
    public async Task ADeletedManifestPulledRecentlyWarnsDigestPinnedClients()
    {
        var rows = new RetentionRows();
        var recent = rows.Tag("recent", 90);
        var longAgo = rows.Tag("long-ago", 90);
        rows.Pulled(recent, 3);
        rows.Pulled(longAgo, 200);

        var plan = await rows.PlanAsync(Rule("none", new RetentionKeep(PulledWithin: TimeSpan.FromDays(1))));
        Assert.EndsWith("last pulled 2026-11-28: clients pulling it by digest will break", plan.Manifests.Single(m => m.Digest == recent).Verdicts.Single().Reason);
        Assert.EndsWith("last pulled 2026-05-15", plan.Manifests.Single(m => m.Digest == longAgo).Verdicts.Single().Reason);
    }
}
