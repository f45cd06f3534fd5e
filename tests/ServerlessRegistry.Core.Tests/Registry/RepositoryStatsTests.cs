using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using static ServerlessRegistry.Core.Tests.Registry.ListingTestData;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>The catalog row's statistics after pushes and deletes, read as the repositories page reads them; on Azurite and in memory.</summary>
public sealed class RepositoryStatsTests
{
    private static async Task<RegistryHarness> StartAsync(bool azurite) => azurite ? await RegistryHarness.StartAsync() : RegistryHarness.InMemory();

    private static async Task<RepositoryListingEntry> EntryAsync(RegistryHarness harness, string repository)
    {
        await harness.Stats.WhenIdleAsync(repository);
        var page = await harness.Listing.ListRepositoriesAsync(null, 50, repository, _ => true, None);
        return Assert.Single(page.Repositories, r => r.Name == repository);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StatsFollowPushesTagDeletesAndManifestDeletes(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        const string repo = "stats/app";
        var first = await PushImageAsync(harness, repo, "v1", Config("linux", "amd64"), """{"org.opencontainers.image.description":"first"}""");
        await harness.Manifests.PutAsync(repo, Ref("latest"), first.Manifest, "application/vnd.oci.image.manifest.v1+json", [], None);
        var second = await PushImageAsync(harness, repo, "v2", Config("linux", "arm64"), """{"org.opencontainers.image.description":"second"}""");

        var pushed = await EntryAsync(harness, repo);
        Assert.Equal(3, pushed.TagCount);
        Assert.Equal(first.Manifest.Length + first.ContentSize + second.Manifest.Length + second.ContentSize, pushed.Size);
        Assert.Equal("second", pushed.Description);
        var v2 = (await harness.Listing.ListTagsAsync(repo, None))[0];
        Assert.Equal(("v2", v2.PushedAt), ("v2", pushed.LastPush));

        await harness.Manifests.DeleteAsync(repo, Ref("v2"), None);
        var untagged = await EntryAsync(harness, repo);
        Assert.Equal(2, untagged.TagCount);
        Assert.Equal("first", untagged.Description);
        Assert.Equal(pushed.Size, untagged.Size); // the manifest and its content stay until deleted or collected

        await harness.Manifests.DeleteAsync(repo, Ref(second.Put.Digest), None);
        await harness.Manifests.DeleteAsync(repo, Ref(first.Put.Digest), None);
        var emptied = await EntryAsync(harness, repo);
        Assert.Equal(0, emptied.TagCount);
        Assert.Null(emptied.Description);
        Assert.Equal(first.ContentSize + second.ContentSize, emptied.Size); // links remain until garbage collection
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ListingAgainInANewProcessKeepsTheStats(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        await PushImageAsync(harness, "stats/kept", "v1", Config("linux", "amd64"), """{"org.opencontainers.image.description":"kept"}""");
        var before = await EntryAsync(harness, "stats/kept");

        await new CatalogService(harness.Storage).EnsureListedAsync("stats/kept", None);

        var after = await EntryAsync(harness, "stats/kept");
        Assert.Equal(before, after);
        Assert.Equal(1, after.TagCount);
        Assert.Equal("kept", after.Description);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ConcurrentPushesFromTwoProcessesConvergeOnEveryTag(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        const string repo = "stats/race";
        var image = await PushImageAsync(harness, repo, "base", Config("linux", "amd64"));
        // A second process: its own services on the same storage.
        var otherStats = new RepositoryStats(harness.Storage, NullLogger<RepositoryStats>.Instance);
        var other = new ManifestService(harness.Storage, new CatalogService(harness.Storage), TimeProvider.System, otherStats);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            (i % 2 == 0 ? harness.Manifests : other).PutAsync(repo, Ref($"t{i}"), image.Manifest, "application/vnd.oci.image.manifest.v1+json", [], None))));
        await otherStats.WhenIdleAsync(repo);

        var entry = await EntryAsync(harness, repo);
        Assert.Equal(21, entry.TagCount);
        Assert.Equal(image.Manifest.Length + image.ContentSize, entry.Size);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RecountWritesWhatTheRowsSayWhateverTheCatalogRowHeld(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        await PushImageAsync(harness, "stats/fix", "v1", Config("linux", "amd64"));
        await harness.Stats.WhenIdleAsync("stats/fix");
        var wrong = new CatalogRow("stats/fix").ToRow();
        new CatalogStats(99, 1, null, "stale").WriteTo(wrong);
        await harness.Storage.Metadata.ExecuteAsync(harness.Storage.Layout.CatalogTable, RowOperation.Upsert(wrong), None);

        await harness.Stats.RecountAsync("stats/fix", None);

        var entry = await EntryAsync(harness, "stats/fix");
        Assert.Equal(1, entry.TagCount);
        Assert.Null(entry.Description);
        Assert.NotEqual(1, entry.Size);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RepositoriesArePagedFilteredAndLimitedToWhatTheViewerSees(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        foreach (var name in new[] { "page/a", "page/B-app", "page/c-app", "page/d", "page/e-app" })
        {
            await PushImageAsync(harness, name, "v1", Config("linux", "amd64"));
        }

        var first = await harness.Listing.ListRepositoriesAsync(null, 1, "APP", n => n != "page/c-app", None);
        Assert.Equal(["page/B-app"], first.Repositories.Select(r => r.Name));
        Assert.Equal("page/B-app", first.Next);
        var second = await harness.Listing.ListRepositoriesAsync(first.Next, 1, "APP", n => n != "page/c-app", None);
        Assert.Equal(["page/e-app"], second.Repositories.Select(r => r.Name));
        Assert.Null(second.Next);
    }
}
