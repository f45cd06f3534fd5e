using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Testing;

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
        Assert.True(manifest.Summary.Complete);
        Assert.True(tag.Summary.Complete);
    }

    [Fact]
    public async Task ARunCompletesTheSummaryOfAManifestStoredBeforeItsConfigWasLinkedAndADryRunDoesNot()
    {
        await using var gc = await GcHarness.StartAsync();
        var listing = gc.Server.Services.GetRequiredService<RepositoryListing>();
        // Content first, then the manifest as a mirror stores it: references not checked, so the config is not read.
        var image = await gc.PushImageAsync("gcsum/mirror", "linked", config: """{"architecture":"arm64","os":"linux","created":"2024-01-02T03:04:05Z"}""");
        await gc.Server.Services.GetRequiredService<ManifestService>()
            .PutAsync("gcsum/mirror", ManifestReference.Parse("cached"), image.Manifest, OciHttp.OciManifest, [], CancellationToken.None, requireReferences: false);
        var cached = (await listing.ListTagsAsync("gcsum/mirror", CancellationToken.None)).Single(t => t.Tag == "cached");
        Assert.False(cached.Summary.Complete);
        Assert.Empty(cached.Summary.Platforms);

        await gc.GcAsync(dryRun: true);
        Assert.False((await listing.ListTagsAsync("gcsum/mirror", CancellationToken.None)).Single(t => t.Tag == "cached").Summary.Complete);
        var report = await gc.GcAsync();

        Assert.Equal(1, report.SummariesFilled);
        var tags = (await listing.ListTagsAsync("gcsum/mirror", CancellationToken.None)).ToDictionary(t => t.Tag);
        foreach (var tag in tags.Values)
        {
            Assert.True(tag.Summary.Complete);
            Assert.Equal(["linux/arm64"], tag.Summary.Platforms);
        }

        // A listing carries the created time of its newest tag; the manifest row carries it always.
        var manifest = await listing.GetManifestAsync("gcsum/mirror", tags["cached"].Digest, CancellationToken.None);
        Assert.Equal(DateTimeOffset.Parse("2024-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture), manifest!.Summary.Created);

        Assert.Equal(0, (await gc.GcAsync()).SummariesFilled); // nothing left to repair, nothing written again
    }

    [Fact]
    public async Task ARunCompletesAnIndexPushedBeforeItsChildrenOnTheIndexAndItsTag()
    {
        await using var gc = await GcHarness.StartAsync();
        var listing = gc.Server.Services.GetRequiredService<RepositoryListing>();
        var child = await gc.PushImageAsync("gcsum/index", "child");
        var index = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{child.Digest}}","size":{{child.Manifest.Length}},"platform":{"os":"linux","architecture":"amd64"} }]}
            """);
        // The index goes first while its child is away: the child is deleted, the index pushed, the child pushed again.
        await gc.DeleteManifestAsync("gcsum/index", child.Digest);
        using (var put = await gc.Client.PutManifestAsync("gcsum/index", "multi", index, "application/vnd.oci.image.index.v1+json"))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using (var again = await gc.Client.PutManifestAsync("gcsum/index", "child", child.Manifest))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }

        var before = (await listing.ListTagsAsync("gcsum/index", CancellationToken.None)).Single(t => t.Tag == "multi");
        Assert.False(before.Summary.Complete);
        Assert.Equal(index.Length, before.Summary.Size);

        await gc.GcAsync();

        var expected = index.Length + child.Manifest.Length + child.Config.Length + child.Layer.Length;
        var after = (await listing.ListTagsAsync("gcsum/index", CancellationToken.None)).Single(t => t.Tag == "multi");
        Assert.True(after.Summary.Complete);
        Assert.Equal(expected, after.Summary.Size);
        var manifest = await listing.GetManifestAsync("gcsum/index", OciHttp.Sha256(index), CancellationToken.None);
        Assert.Equal(expected, manifest!.Summary.Size);
        Assert.True(manifest.Summary.Complete);
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
