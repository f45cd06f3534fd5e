using System.Net;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Policies.Retention;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>Retention against Azurite: a dry run writes nothing, a run deletes what it planned, and a run racing pushes keeps what they touched.</summary>
public sealed class RetentionRunTests(RetentionHarness registry) : IClassFixture<RetentionHarness>
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    [Fact]
    public async Task DryRunReportsEverythingAndChangesNothing()
    {
        var (repository, policies) = await SeedAsync("dry/app");
        var before = await registry.SnapshotAsync(repository);

        var report = await registry.Runner().RunAsync(policies, dryRun: true, Grace, null, false, null, CancellationToken.None);

        Assert.True(report.DryRun);
        Assert.Equal(["old"], report.Deleted.Where(v => v.Repository == repository && v.Tag is not null).Select(v => v.Tag));
        Assert.Equal(3, report.Deleted.Count(v => v.Repository == repository && v.Tag is null));
        Assert.Equal(before, await registry.SnapshotAsync(repository));
    }

    [Fact]
    public async Task RunDeletesThePlanWithReferrerRowsAndPullTimesAndASecondRunNothing()
    {
        var (repository, policies) = await SeedAsync("run/app");
        var old = Digest(await registry.Storage.GetRepositoryRowAsync(repository, StorageLayout.TagKey("old"), CancellationToken.None));
        var latest = Digest(await registry.Storage.GetRepositoryRowAsync(repository, StorageLayout.TagKey("latest"), CancellationToken.None));

        var report = await registry.Runner().RunAsync(policies, dryRun: false, Grace, repository, false, null, CancellationToken.None);

        Assert.Equal(1, report.TagsDeleted);
        Assert.Equal(3, report.ManifestsDeleted);
        Assert.False(await registry.ExistsAsync(repository, StorageLayout.TagKey("old")));
        Assert.False(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(old)));
        Assert.DoesNotContain(StorageLayout.ReferrerPrefix, await registry.SnapshotAsync(repository));
        Assert.DoesNotContain(old, await registry.SnapshotAsync(repository));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(latest)));
        Assert.Contains(report.Deleted, v => v.Digest == old && v.Tag is null && v.Reason.Contains("last pulled", StringComparison.Ordinal));
        using (var gone = await registry.Server.Client.GetAsync($"/v2/{repository}/manifests/old"))
        using (var kept = await registry.Server.Client.GetAsync($"/v2/{repository}/manifests/latest"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
            Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        }

        var again = await registry.Runner().RunAsync(policies, dryRun: false, Grace, repository, false, null, CancellationToken.None);
        Assert.Empty(again.Deleted);
    }

    [Fact]
    public async Task ARunRacingPushesKeepsWhatTheyTouched()
    {
        const string repository = "race/app";
        var a = await registry.PushAsync(repository, null, "a1");
        var b = await registry.PushAsync(repository, null, "b1");
        var c = await registry.PushAsync(repository, null, "c1");
        registry.Clock.Advance(TimeSpan.FromDays(60));
        await registry.PushAsync(repository, null, "latest");
        var policies = new PolicySet([new RetentionRule("latest-only", repository, ["**"], new RetentionKeep(Matching: ["latest"]))], [], [], []);
        var raced = false;
        var hooked = new RetentionHookedStore(registry.Storage, async _ =>
        {
            if (!raced)
            {
                // Between the plan's read and its first delete: a manifest gets a new tag, and a tag is pushed again.
                raced = true;
                await registry.RetagAsync(repository, a, "a2");
                await registry.RetagAsync(repository, c, "c1");
            }
        });

        var report = await registry.Runner(hooked.Storage).RunAsync(policies, dryRun: false, Grace, repository, false, null, CancellationToken.None);

        Assert.True(raced);
        Assert.Equal(2, report.Conflicts);
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(a)));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.TagKey("a2")));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(c)));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.TagKey("c1")));
        Assert.False(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(b)));
        Assert.Equal([b], report.Deleted.Where(v => v.Tag is null).Select(v => v.Digest));
    }

    /// <summary>An old tag (pulled, with a referrer), an old untagged manifest, and a fresh "latest"; one rule keeping "latest" and expiring untagged manifests after 30 days.</summary>
    [Fact]
    public async Task RunPublishesWhatItDeletedAsTheRetentionActorAndADryRunNothing()
    {
        var (repository, policies) = await SeedAsync("events/app");
        var old = Digest(await registry.Storage.GetRepositoryRowAsync(repository, StorageLayout.TagKey("old"), CancellationToken.None));
        var events = new DeleteRecorder();

        await registry.Runner(events: events).RunAsync(policies, dryRun: true, Grace, repository, false, null, CancellationToken.None);
        Assert.Empty(events.Changes);
        var report = await registry.Runner(events: events).RunAsync(policies, dryRun: false, Grace, repository, false, null, CancellationToken.None);

        Assert.Contains(new RegistryChange(ChangeAction.Delete, repository, old, Tag: "old"), events.Changes);
        Assert.Equal(
            report.Deleted.Where(v => v.Tag is null).Select(v => v.Digest).Order(),
            events.Changes.Where(c => c.Tag is null).Select(c => c.Digest!).Order());
        Assert.Equal(report.TagsDeleted + report.ManifestsDeleted, events.Changes.Count);
        Assert.Equal(["retention"], events.Actors.Distinct());
    }

    private sealed class DeleteRecorder : IRegistryEvents
    {
        public List<RegistryChange> Changes { get; } = [];
        public List<string?> Actors { get; } = [];

        public bool Wants(ChangeAction action) => action == ChangeAction.Delete;

        public Task PublishAsync(IReadOnlyList<RegistryChange> changes, ChangeOrigin origin, CancellationToken cancellationToken)
        {
            lock (Changes)
            {
                Changes.AddRange(changes);
                Actors.Add(origin.Actor);
            }

            return Task.CompletedTask;
        }
    }

    private async Task<(string Repository, PolicySet Policies)> SeedAsync(string repository)
    {
        var old = await registry.PushAsync(repository, null, "old");
        await registry.PushAsync(repository, old);
        await registry.PushAsync(repository, null);
        await registry.PullAsync(repository, old);
        registry.Clock.Advance(TimeSpan.FromDays(60));
        await registry.PushAsync(repository, null, "latest");
        var rule = new RetentionRule("latest-only", repository, ["**"], new RetentionKeep(Matching: ["latest"]), TimeSpan.FromDays(30));
        return (repository, new PolicySet([rule], [], [], []));
    }

    private static string Digest(TableRow? tag) => Core.Storage.Rows.TagRow.FromRow(tag!).Digest!;
}
