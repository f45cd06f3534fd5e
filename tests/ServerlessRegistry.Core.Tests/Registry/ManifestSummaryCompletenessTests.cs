using System.Text;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Testing;
using static ServerlessRegistry.Core.Tests.Registry.ListingTestData;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>What a push records when it cannot learn everything, and which facts it leaves out; on Azurite and in memory.</summary>
public sealed class ManifestSummaryCompletenessTests
{
    private static async Task<RegistryHarness> StartAsync(bool azurite, Func<Core.Storage.IBlobStore, Core.Storage.IBlobStore>? wrapBlobs = null) =>
        azurite ? await RegistryHarness.StartAsync(wrapBlobs: wrapBlobs) : RegistryHarness.InMemory(wrapBlobs: wrapBlobs);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AStorageErrorReadingTheConfigLeavesThePushStandingWithAnIncompleteSummary(bool azurite)
    {
        FaultyBlobStore? faulty = null;
        await using var harness = await StartAsync(azurite, b => faulty = new FaultyBlobStore(b));
        var configBytes = Encoding.UTF8.GetBytes(Config("linux", "amd64", created: "2024-05-01T10:00:00Z"));
        var layer = OciHttp.RandomBytes(300);
        var config = await PushBlobAsync(harness, "complete/outage", configBytes);
        var l = await PushBlobAsync(harness, "complete/outage", layer);
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":" +
                                              Descriptor("application/vnd.oci.image.config.v1+json", config) + ",\"layers\":[" + Descriptor("application/vnd.oci.image.layer.v1.tar", l) + "]}");
        faulty!.FailReads = true;

        var put = await harness.Manifests.PutAsync("complete/outage", Ref("v1"), manifest, OciHttp.OciManifest, [], None);

        Assert.Equal(1, faulty.Failed);
        var tag = Assert.Single(await harness.Listing.ListTagsAsync("complete/outage", None));
        Assert.Equal(put.Digest, tag.Digest);
        Assert.False(tag.Summary.Complete);
        Assert.True(tag.Summary.Known);
        Assert.Equal(manifest.Length + configBytes.Length + layer.Length, tag.Summary.Size); // the manifest alone says this
        Assert.Empty(tag.Summary.Platforms);
    }

    /// <summary>In memory only: there the reads before the config ignore the cancelled token, so the push reaches it (Azure stops earlier).</summary>
    [Fact]
    public async Task ACancelledPushStillFailsWhenTheConfigReadFails()
    {
        FaultyBlobStore? faulty = null;
        await using var harness = await StartAsync(false, b => faulty = new FaultyBlobStore(b));
        var config = await PushBlobAsync(harness, "complete/cancel", Encoding.UTF8.GetBytes(Config("linux", "amd64")));
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":" +
                                              Descriptor("application/vnd.oci.image.config.v1+json", config) + ",\"layers\":[]}");
        faulty!.FailReads = true;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<Exception>(() => harness.Manifests.PutAsync("complete/cancel", Ref("v1"), manifest, OciHttp.OciManifest, [], cancelled.Token));
        Assert.Equal(1, faulty.Failed);
        Assert.Empty(await harness.Listing.ListTagsAsync("complete/cancel", None));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AManifestStoredBeforeItsConfigIsLinkedIsIncompleteAndALinkedOneComplete(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        var linked = await PushImageAsync(harness, "complete/mirror", "linked", Config("linux", "amd64"));
        var config = Encoding.UTF8.GetBytes(Config("linux", "arm64"));
        var digest = OciHttp.Sha256(config);
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":" +
                                              "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + digest + "\",\"size\":" + config.Length + "},\"layers\":[]}");

        await harness.Manifests.PutAsync("complete/mirror", Ref("cached"), manifest, OciHttp.OciManifest, [], None, requireReferences: false);

        var tags = (await harness.Listing.ListTagsAsync("complete/mirror", None)).ToDictionary(t => t.Tag);
        Assert.False(tags["cached"].Summary.Complete);
        Assert.Empty(tags["cached"].Summary.Platforms);
        Assert.True(tags["linked"].Summary.Complete);
        Assert.Equal(linked.Put.Digest, tags["linked"].Digest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AnIndexIsCompleteOnlyWhenEveryChildIsThereAndAttestationsHaveNoPlatform(bool azurite)
    {
        await using var harness = await StartAsync(azurite);
        var amd = await PushImageAsync(harness, "complete/index", "amd", Config("linux", "amd64"));
        var attestation = await PushImageAsync(harness, "complete/index", "att", "{}", artifactType: "application/vnd.in-toto+json",
            configMediaType: "application/vnd.oci.empty.v1+json");
        string Index(string? absent) => $$"""
            {"schemaVersion":2,"mediaType":"{{IndexType}}","manifests":[
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{amd.Put.Digest}}","size":{{amd.Manifest.Length}},"platform":{"os":"linux","architecture":"amd64"} },
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{attestation.Put.Digest}}","size":{{attestation.Manifest.Length}},"platform":{"os":"unknown","architecture":"unknown"} }
              {{(absent is null ? "" : $$""",{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{absent}}","size":10,"platform":{"os":"linux","architecture":"arm64"} }""")}}]}
            """;
        var whole = Encoding.UTF8.GetBytes(Index(null));
        var sparse = Encoding.UTF8.GetBytes(Index("sha256:" + new string('b', 64)));

        await harness.Manifests.PutAsync("complete/index", Ref("whole"), whole, IndexType, [], None);
        await harness.Manifests.PutAsync("complete/index", Ref("sparse"), sparse, IndexType, [], None);

        var tags = (await harness.Listing.ListTagsAsync("complete/index", None)).ToDictionary(t => t.Tag);
        Assert.True(tags["whole"].Summary.Complete);
        Assert.Equal(["linux/amd64"], tags["whole"].Summary.Platforms);
        Assert.Equal(whole.Length + amd.Manifest.Length + amd.ContentSize + attestation.Manifest.Length + attestation.ContentSize, tags["whole"].Summary.Size);
        Assert.False(tags["sparse"].Summary.Complete);
        Assert.Equal(["linux/amd64", "linux/arm64"], tags["sparse"].Summary.Platforms);
    }
}
