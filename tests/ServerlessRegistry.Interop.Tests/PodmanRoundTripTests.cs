using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>
/// podman pulls an image the registry holds and pushes it to another repository. podman rebuilds the manifest
/// from its own storage, so identical digests show the registry served the manifest, config and layers verbatim.
/// </summary>
public sealed class PodmanRoundTripTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task PodmanPullsAndPushesSingleLayerImageWithIdenticalDigests()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var source = scratch.NewLayout("source");
        var image = source.AddImage("linux", "amd64", ("hello.bin", InteropScratch.SmallPayload(), true));
        await RoundTripThroughPodmanAsync(scratch, source, image);
    }

    [Fact]
    public async Task PodmanPullsAndPushesMultiLayerImageWithIdenticalDigests()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var source = scratch.NewLayout("source");
        var image = source.AddImage(
            "linux",
            "amd64",
            ("base.bin", InteropScratch.SmallPayload(), true),
            (InteropScratch.UniqueFileName(), InteropScratch.LargePayload, false));
        await RoundTripThroughPodmanAsync(scratch, source, image);
    }

    private static async Task RoundTripThroughPodmanAsync(InteropScratch scratch, OciLayoutBuilder source, OciImage image)
    {
        source.Tag(image.Manifest, "v1");
        var from = scratch.Repository("podman-from");
        var to = scratch.Repository("podman-to");
        await scratch.Skopeo.CopyAsync(source.Reference("v1"), scratch.Remote(from, "v1"));

        await scratch.Podman.PullAsync(scratch.Image(from, "v1"));
        Assert.Equal(image.Config.Digest, "sha256:" + await scratch.Podman.InspectAsync(scratch.Image(from, "v1"), "{{.Id}}"));
        Assert.Equal(image.Manifest.Digest, await scratch.Podman.InspectAsync(scratch.Image(from, "v1"), "{{.Digest}}"));

        var pushed = await scratch.Podman.PushAsync(scratch.Image(from, "v1"), scratch.Image(to, "v1"));
        Assert.Equal(image.Manifest.Digest, pushed);
        await InteropAssert.ManifestServedAsync(scratch, to, "v1", image.Manifest);

        await scratch.Skopeo.CopyAsync(scratch.Remote(to, "v1"), $"oci:{scratch.LayoutPath("copy")}:v1");
        InteropAssert.SameBlobs(source, scratch.LayoutPath("copy"), InteropAssert.Reachable(image));
    }
}
