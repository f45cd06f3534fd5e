using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>Catalog statistics after garbage collection, against Azurite with a hand-moved clock.</summary>
public sealed class GcStatsTests
{
    private static async Task<RepositoryListingEntry> EntryAsync(GcHarness gc, string repository)
    {
        await gc.Server.Services.GetRequiredService<RepositoryStats>().WhenIdleAsync(repository);
        var page = await gc.Server.Services.GetRequiredService<RepositoryListing>().ListRepositoriesAsync(null, 10, repository, _ => true, CancellationToken.None);
        return Assert.Single(page.Repositories, r => r.Name == repository);
    }

    [Fact]
    public async Task ARunThatReclaimsAManifestLeavesStatsCountingOnlyWhatSurvives()
    {
        await using var gc = await GcHarness.StartAsync();
        var kept = await gc.PushImageAsync("gcstats/app", "keep");
        var gone = await gc.PushImageAsync("gcstats/app", "drop");
        await gc.DeleteManifestAsync("gcstats/app", "drop");
        var before = await EntryAsync(gc, "gcstats/app");
        Assert.Equal(1, before.TagCount);
        Assert.Equal(kept.Manifest.Length + kept.Config.Length + kept.Layer.Length + gone.Manifest.Length + gone.Config.Length + gone.Layer.Length, before.Size);

        gc.Clock.Advance(GcHarness.PastGrace);
        var report = await gc.GcAsync(deleteUntagged: true);

        Assert.Equal(1, report.ManifestsDeleted);
        var after = await EntryAsync(gc, "gcstats/app");
        Assert.Equal(1, after.TagCount);
        Assert.Equal(kept.Manifest.Length + kept.Config.Length + kept.Layer.Length, after.Size);
        Assert.Equal(before.LastPush, after.LastPush);
    }

    [Fact]
    public async Task ARunFillsStatsOfRepositoriesListedBeforeStatsExistedAndADryRunWritesNone()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.PushImageAsync("gcstats/old", "v1");
        var pushed = await EntryAsync(gc, "gcstats/old");
        var bare = new CatalogRow("gcstats/old").ToRow();
        await gc.Storage.Metadata.ExecuteAsync(gc.Storage.Layout.CatalogTable, RowOperation.Upsert(bare), CancellationToken.None);

        await gc.GcAsync(dryRun: true);
        Assert.Equal(0, (await EntryAsync(gc, "gcstats/old")).TagCount);

        await gc.GcAsync();

        var filled = await EntryAsync(gc, "gcstats/old");
        Assert.Equal(pushed, filled);
        Assert.Equal(1, filled.TagCount);
        Assert.Equal(image.Manifest.Length + image.Config.Length + image.Layer.Length, filled.Size);
    }

    [Fact]
    public async Task ACatalogBatchThatConflictsIsRecountedBeforeTheRunReturns()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.PushImageAsync("gcstats/race", "v1");
        await gc.Server.Services.GetRequiredService<RepositoryStats>().WhenIdleAsync("gcstats/race");
        var bare = new CatalogRow("gcstats/race").ToRow();
        await gc.Storage.Metadata.ExecuteAsync(gc.Storage.Layout.CatalogTable, RowOperation.Upsert(bare), CancellationToken.None);

        // Between the run's catalog read and its write, the row changes (as a push's recount would change it).
        var hooked = 0;
        await gc.GcAsync(hook: async point =>
        {
            if (point == "catalog-batch" && Interlocked.Increment(ref hooked) == 1)
            {
                await gc.Storage.Metadata.ExecuteAsync(gc.Storage.Layout.CatalogTable, RowOperation.Upsert(new CatalogRow("gcstats/race").ToRow()), CancellationToken.None);
            }
        });

        // Read straight away: a recount left running in the background would not count (the CLI exits).
        Assert.Equal(1, hooked);
        var row = await gc.Storage.Metadata.GetAsync(gc.Storage.Layout.CatalogTable, StorageLayout.CatalogPartition, StorageLayout.RepositoryKey("gcstats/race"), CancellationToken.None);
        Assert.True(CatalogStats.HasStats(row!));
        var stats = CatalogStats.FromRow(row!);
        Assert.Equal(1, stats.TagCount);
        Assert.Equal(image.Manifest.Length + image.Config.Length + image.Layer.Length, stats.Size);
    }
}
