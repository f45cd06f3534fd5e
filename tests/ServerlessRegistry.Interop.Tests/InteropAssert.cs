using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>Digest assertions shared by the interop tests: always over raw bytes, never over parsed JSON.</summary>
internal static class InteropAssert
{
    /// <summary>
    /// The registry serves <paramref name="expected"/> under <paramref name="reference"/> byte for byte: over plain
    /// HTTP (body digest, Content-Type, Docker-Content-Digest) and through skopeo inspect --raw.
    /// </summary>
    public static async Task ManifestServedAsync(InteropScratch scratch, string repository, string reference, OciDescriptor expected)
    {
        var exchange = await scratch.Registry.GetManifestAsync(repository, reference);
        Assert.True(exchange.Status == HttpStatusCode.OK, exchange.ToString());
        Assert.True(OciLayoutBuilder.Sha256(exchange.Body) == expected.Digest, $"expected {expected.Digest}\n{exchange}");
        Assert.True(exchange.ContentType == expected.MediaType, $"expected Content-Type {expected.MediaType}\n{exchange}");
        Assert.True(exchange.Header("Docker-Content-Digest") is "" || exchange.Header("Docker-Content-Digest") == expected.Digest, exchange.ToString());
        Assert.Equal(expected.Size, exchange.Body.LongLength);

        var raw = await scratch.Skopeo.InspectRawAsync(scratch.Remote(repository, reference));
        Assert.Equal(expected.Digest, OciLayoutBuilder.Sha256(raw));
    }

    /// <summary>The repository no longer has <paramref name="reference"/>: a GET answers 404.</summary>
    public static async Task ManifestGoneAsync(InteropScratch scratch, string repository, string reference)
    {
        var exchange = await scratch.Registry.GetManifestAsync(repository, reference);
        Assert.True(exchange.Status == HttpStatusCode.NotFound, exchange.ToString());
    }

    /// <summary>
    /// The round-tripped layout holds exactly <paramref name="digests"/>, each file byte-identical to the source
    /// layout's and named by its own sha256.
    /// </summary>
    public static void SameBlobs(OciLayoutBuilder source, string copyDirectory, IEnumerable<string> digests)
    {
        var copyBlobs = Path.Combine(copyDirectory, "blobs", "sha256");
        var expected = digests.Select(d => d["sha256:".Length..]).Order(StringComparer.Ordinal).Distinct().ToList();
        var actual = Directory.EnumerateFiles(copyBlobs).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
        foreach (var hex in expected)
        {
            var copied = File.ReadAllBytes(Path.Combine(copyBlobs, hex));
            Assert.Equal("sha256:" + hex, OciLayoutBuilder.Sha256(copied));
            Assert.True(copied.AsSpan().SequenceEqual(File.ReadAllBytes(source.BlobPath("sha256:" + hex))), $"blob {hex} differs");
        }
    }

    /// <summary>Every digest an image manifest reaches, itself included.</summary>
    public static IEnumerable<string> Reachable(OciImage image) =>
        [image.Manifest.Digest, image.Config.Digest, .. image.Layers.Select(l => l.Digest)];
}
