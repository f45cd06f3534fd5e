using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>A run fills the listing summary of manifests whose rows were written before pushes recorded it.</summary>
public sealed class GcSummaryBackfillTests
{
    [Fact]
    public async Task ARunFillsMissingSummariesOnTheManifestAndItsTagsAndADryRunDoesNot()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.PushImageAsync("gcsum/old", "v1", config: """{"architecture":"arm64","os":"linux","config":{"Labels":{"team":"core"}}}""");
        var listing = gc.Server.Services.GetRequiredService<RepositoryListing>();
        var pushed = Assert.Single(await listing.ListTagsAsync("gcsum/old", CancellationToken.None));
        await StripSummariesAsync(gc, "gcsum/old");
        Assert.Equal(0, Assert.Single(await listing.ListTagsAsync("gcsum/old", CancellationToken.None)).Summary.Size);

        await gc.GcAsync(dryRun: true);
        Assert.Equal(0, Assert.Single(await listing.ListTagsAsync("gcsum/old", CancellationToken.None)).Summary.Size);
        await gc.GcAsync();

        var tag = Assert.Single(await listing.ListTagsAsync("gcsum/old", CancellationToken.None));
        Assert.Equal(image.Manifest.Length + image.Config.Length + image.Layer.Length, tag.Summary.Size);
        Assert.Equal(pushed.Summary.Size, tag.Summary.Size);
        Assert.Equal(["linux/arm64"], tag.Summary.Platforms);
        var manifest = await listing.GetManifestAsync("gcsum/old", image.Digest, CancellationToken.None);
        Assert.Equal("core", manifest!.Labels["team"]);
        Assert.Equal(["linux/arm64"], manifest.Summary.Platforms);
    }

    /// <summary>Rewrites the repository's manifest and tag rows as they were before summaries: the typed rows alone.</summary>
    private static async Task StripSummariesAsync(GcHarness gc, string repository)
    {
        var partition = StorageLayout.RepositoryKey(repository);
        var page = await gc.Storage.Metadata.QueryAsync(gc.Storage.Layout.RepositoriesTable, new RowQuery { PartitionKey = partition }, CancellationToken.None);
        foreach (var row in page.Rows)
        {
            var key = row.RowKey;
            TableRow? bare = key.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal)
                ? ManifestRow.FromRow(row).ToRow(partition, key[StorageLayout.ManifestPrefix.Length..])
                : key.StartsWith(StorageLayout.TagPrefix, StringComparison.Ordinal)
                    ? TagRow.FromRow(row).ToRow(partition, key[StorageLayout.TagPrefix.Length..])
                    : null;
            if (bare is not null)
            {
                await gc.Storage.Metadata.ExecuteAsync(gc.Storage.Layout.RepositoriesTable, RowOperation.Upsert(bare), CancellationToken.None);
            }
        }
    }
}
