using System.Text;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;
using static ServerlessRegistry.Core.Tests.Registry.ListingTestData;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>What a push records for listing, read back through <see cref="RepositoryListing"/>; on Azurite and in memory.</summary>
public sealed class ManifestSummaryTests
{
    private static async Task<RegistryHarness> StartAsync(bool azurite) => azurite ? await RegistryHarness.StartAsync() : RegistryHarness.InMemory();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ImageSummaryHasSizePlatformCreatedAndInfoFromAnnotationsThenLabels(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        var config = Config("linux", "arm64", "v8", "2024-05-01T10:00:00Z",
            """{"org.opencontainers.image.source":"https://example.com/src","org.opencontainers.image.description":"from label","maintainer":"me"}""");
        var (put, manifest, contentSize) = await PushImageAsync(harness, "sum/image", "v1", config,
            """{"org.opencontainers.image.description":"from annotation","org.opencontainers.image.licenses":"MIT","org.example.other":"x"}""");

        var listed = await harness.Listing.GetManifestAsync("sum/image", put.Digest, None);

        Assert.NotNull(listed);
        var summary = listed.Summary;
        Assert.Equal(manifest.Length + contentSize, summary.Size);
        Assert.Equal(["linux/arm64/v8"], summary.Platforms);
        Assert.Equal(DateTimeOffset.Parse("2024-05-01T10:00:00Z"), summary.Created);
        Assert.Null(summary.ArtifactType); // a plain image
        Assert.Equal("from annotation", summary.Info["org.opencontainers.image.description"]);
        Assert.Equal("MIT", summary.Info["org.opencontainers.image.licenses"]);
        Assert.Equal("https://example.com/src", summary.Info["org.opencontainers.image.source"]);
        Assert.False(summary.Info.ContainsKey("org.example.other"));
        Assert.Equal("me", listed.Labels["maintainer"]);
        Assert.True(summary.Complete);
        Assert.Equal(manifest, listed.Content.Bytes);
        Assert.NotNull(listed.PushedAt);

        var tag = Assert.Single(await harness.Listing.ListTagsAsync("sum/image", None));
        Assert.Equal(("v1", put.Digest), (tag.Tag, tag.Digest));
        Assert.Equal(summary.Size, tag.Summary.Size);
        Assert.Equal(summary.Platforms, tag.Summary.Platforms);
        Assert.Equal(summary.Created, tag.Summary.Created);
        Assert.Equal(summary.Info, tag.Summary.Info);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task IndexSummaryListsEveryChildPlatformAndSumsTheChildrenItHolds(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        var amd = await PushImageAsync(harness, "sum/index", "amd", Config("linux", "amd64"));
        var arm = await PushImageAsync(harness, "sum/index", "arm", Config("linux", "arm64", "v8"));
        var absent = "sha256:" + new string('a', 64);
        var index = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"{{IndexType}}","manifests":[
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{amd.Put.Digest}}","size":{{amd.Manifest.Length}},"platform":{"os":"linux","architecture":"amd64"} },
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{arm.Put.Digest}}","size":{{arm.Manifest.Length}},"platform":{"os":"linux","architecture":"arm64","variant":"v8"} },
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{absent}}","size":10,"platform":{"os":"windows","architecture":"amd64"} }],
             "annotations":{"org.opencontainers.image.created":"2023-01-02T03:04:05Z"} }
            """);

        var put = await harness.Manifests.PutAsync("sum/index", Ref("multi"), index, IndexType, [], None);

        var summary = (await harness.Listing.GetManifestAsync("sum/index", put.Digest, None))!.Summary;
        Assert.Equal(index.Length + amd.Manifest.Length + amd.ContentSize + arm.Manifest.Length + arm.ContentSize, summary.Size);
        Assert.Equal(["linux/amd64", "linux/arm64/v8", "windows/amd64"], summary.Platforms);
        Assert.False(summary.Complete); // the windows child is not here
        Assert.Null(summary.ArtifactType);
        Assert.Equal(DateTimeOffset.Parse("2023-01-02T03:04:05Z"), summary.Created);
        var tag = (await harness.Listing.ListTagsAsync("sum/index", None)).Single(t => t.Tag == "multi");
        Assert.Equal(summary.Platforms, tag.Summary.Platforms);
        Assert.Equal(summary.Size, tag.Summary.Size);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ArtifactSummaryCarriesItsArtifactTypeAndNoPlatform(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        var (put, manifest, contentSize) = await PushImageAsync(harness, "sum/artifact", "sbom", "{}", artifactType: "application/spdx+json",
            configMediaType: "application/vnd.oci.empty.v1+json");

        var tag = Assert.Single(await harness.Listing.ListTagsAsync("sum/artifact", None));

        Assert.Equal(put.Digest, tag.Digest);
        Assert.Equal("application/spdx+json", tag.Summary.ArtifactType);
        Assert.Empty(tag.Summary.Platforms);
        Assert.Null(tag.Summary.Created);
        Assert.Equal(manifest.Length + contentSize, tag.Summary.Size);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadmeIsTheNewestMarkdownReferrersFirstLayer(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        Assert.Null(await harness.Listing.ReadmeAsync("sum/readme", None));
        var image = await PushImageAsync(harness, "sum/readme", "v1", Config("linux", "amd64"));
        foreach (var text in new[] { "# Old", "# New" })
        {
            await PushReadmeAsync(harness, image.Put.Digest, text);
        }

        Assert.Equal("# New", await harness.Listing.ReadmeAsync("sum/readme", None));
    }

    private static async Task PushReadmeAsync(RegistryHarness harness, string subject, string text)
    {
        var layer = await PushBlobAsync(harness, "sum/readme", Encoding.UTF8.GetBytes(text));
        var empty = await PushBlobAsync(harness, "sum/readme", "{}"u8.ToArray());
        var manifest = Encoding.UTF8.GetBytes($$"""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"text/markdown",
             "config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"{{empty.Digest}}","size":2},
             "layers":[{"mediaType":"text/markdown","digest":"{{layer.Digest}}","size":{{layer.Size}} }],
             "subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{subject}}","size":1} }
            """);
        await harness.Manifests.PutAsync("sum/readme", Ref(OciHttp.Sha256(manifest)), manifest, OciHttp.OciManifest, [], None);
        await Task.Delay(5); // distinct push times: the newest is chosen by PushedAt
    }

    [Fact]
    public async Task AThousandTagsAreListedNewestFirstFromOneStorageQueryAndOnePointRead()
    {
        await using var harness = await RegistryHarness.StartAsync();
        var (put, manifest, _) = await PushImageAsync(harness, "sum/many", "t0000", Config("linux", "amd64"));
        var tags = Enumerable.Range(1, 999).Select(i => $"t{i:0000}").ToList();
        foreach (var chunk in tags.Chunk(ManifestService.MaxTagsPerPush))
        {
            await harness.Manifests.PutAsync("sum/many", Ref(chunk[0]), manifest, OciHttp.OciManifest, chunk[1..], None);
        }

        await harness.Stats.WhenIdleAsync("sum/many"); // the push's recount runs in the background
        harness.Counter.Reset();
        var listed = await harness.Listing.ListTagsAsync("sum/many", None);

        Assert.Equal(2, harness.Counter.Count); // the tag rows, then the newest tag's whole row
        Assert.Equal(1000, listed.Count);
        Assert.True(listed[0].Summary.Known);
        Assert.All(listed.Skip(1), t => Assert.Equal(["linux/amd64"], t.Summary.Platforms));
        Assert.All(listed, t => Assert.Equal(put.Digest, t.Digest));
        var order = listed.Select(t => (t.PushedAt, t.Tag)).ToList();
        Assert.Equal(order.OrderByDescending(o => o.PushedAt).ThenBy(o => o.Tag, StringComparer.Ordinal), order);
        Assert.Equal("t0000", listed[^1].Tag); // pushed first
    }
}
