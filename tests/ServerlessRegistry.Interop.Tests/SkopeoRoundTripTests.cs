using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>skopeo copy oci-layout → registry → oci-layout keeps every manifest and blob byte-identical.</summary>
public sealed class SkopeoRoundTripTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task CopiesSingleLayerImageRoundTripWithIdenticalDigests()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var source = scratch.NewLayout("source");
        var image = source.AddImage("linux", "amd64", ("hello.bin", InteropScratch.SmallPayload(), true));
        source.Tag(image.Manifest, "v1");
        var repository = scratch.Repository("single");

        await scratch.Skopeo.CopyAsync(source.Reference("v1"), scratch.Remote(repository, "v1"));
        await InteropAssert.ManifestServedAsync(scratch, repository, "v1", image.Manifest);
        await InteropAssert.ManifestServedAsync(scratch, repository, image.Manifest.Digest, image.Manifest);
        Assert.Equal(File.ReadAllText(source.BlobPath(image.Config.Digest)), await scratch.Skopeo.InspectConfigRawAsync(scratch.Remote(repository, "v1")));

        await scratch.Skopeo.CopyAsync(scratch.Remote(repository, "v1"), $"oci:{scratch.LayoutPath("copy")}:v1");
        InteropAssert.SameBlobs(source, scratch.LayoutPath("copy"), InteropAssert.Reachable(image));
    }

    [Fact]
    public async Task CopiesMultiLayerImageWithFiftyMebibyteLayerRoundTripWithIdenticalDigests()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var source = scratch.NewLayout("source");
        var image = source.AddImage(
            "linux",
            "amd64",
            ("base.bin", InteropScratch.SmallPayload(), true),
            (InteropScratch.UniqueFileName(), InteropScratch.LargePayload, false),
            ("top.bin", InteropScratch.SmallPayload(), true));
        source.Tag(image.Manifest, "v1");
        Assert.True(image.Layers[1].Size >= 50L * 1024 * 1024);
        var repository = scratch.Repository("multi");

        await scratch.Skopeo.CopyAsync(source.Reference("v1"), scratch.Remote(repository, "v1"));
        await InteropAssert.ManifestServedAsync(scratch, repository, "v1", image.Manifest);

        await scratch.Skopeo.CopyAsync(scratch.Remote(repository, image.Manifest.Digest), $"oci:{scratch.LayoutPath("copy")}:v1");
        InteropAssert.SameBlobs(source, scratch.LayoutPath("copy"), InteropAssert.Reachable(image));
    }

    [Fact]
    public async Task CopiesMultiArchIndexRoundTripWithIdenticalDigests()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var source = scratch.NewLayout("source");
        var amd64 = source.AddImage("linux", "amd64", ("amd64.bin", InteropScratch.SmallPayload(), true));
        var arm64 = source.AddImage("linux", "arm64", ("arm64.bin", InteropScratch.SmallPayload(), true));
        var index = source.AddIndex([amd64.Manifest, arm64.Manifest]);
        source.Tag(index, "multi");
        var repository = scratch.Repository("index");

        await scratch.Skopeo.CopyAsync(source.Reference("multi"), scratch.Remote(repository, "multi"), "--all");
        await InteropAssert.ManifestServedAsync(scratch, repository, "multi", index);
        await InteropAssert.ManifestServedAsync(scratch, repository, amd64.Manifest.Digest, amd64.Manifest);
        await InteropAssert.ManifestServedAsync(scratch, repository, arm64.Manifest.Digest, arm64.Manifest);

        await scratch.Skopeo.CopyAsync(scratch.Remote(repository, "multi"), $"oci:{scratch.LayoutPath("copy")}:multi", "--all");
        InteropAssert.SameBlobs(
            source,
            scratch.LayoutPath("copy"),
            [index.Digest, .. InteropAssert.Reachable(amd64), .. InteropAssert.Reachable(arm64)]);
    }
}
