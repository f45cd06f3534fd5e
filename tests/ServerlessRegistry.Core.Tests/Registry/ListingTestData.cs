using System.Security.Cryptography;
using System.Text;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>Pushes what the listing tests look at: images with a chosen config, indexes and artifacts.</summary>
internal static class ListingTestData
{
    public const string IndexType = "application/vnd.oci.image.index.v1+json";
    public static readonly CancellationToken None = CancellationToken.None;

    public static async Task<BlobInfo> PushBlobAsync(RegistryHarness harness, string repository, byte[] content)
    {
        var digest = Digest.FromHash(DigestAlgorithm.Sha256, SHA256.HashData(content));
        return await harness.Uploads.UploadMonolithicAsync(repository, digest, new MemoryStream(content), content.Length, None);
    }

    public static string Config(string os, string architecture, string? variant = null, string? created = null, string? labels = null) =>
        "{\"architecture\":\"" + architecture + "\",\"os\":\"" + os + "\"" + (variant is null ? "" : ",\"variant\":\"" + variant + "\"") +
        (created is null ? "" : ",\"created\":\"" + created + "\"") + ",\"config\":{\"Labels\":" + (labels ?? "null") + "},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

    /// <summary>Pushes a config and one layer, then an image manifest with the given annotations JSON.</summary>
    public static async Task<(ManifestPutResult Put, byte[] Manifest, long ContentSize)> PushImageAsync(
        RegistryHarness harness, string repository, string reference, string config, string? annotations = null, string? artifactType = null,
        string configMediaType = "application/vnd.oci.image.config.v1+json", string layerMediaType = "application/vnd.oci.image.layer.v1.tar", byte[]? layer = null)
    {
        var configBytes = Encoding.UTF8.GetBytes(config);
        layer ??= OciHttp.RandomBytes(300);
        var c = await PushBlobAsync(harness, repository, configBytes);
        var l = await PushBlobAsync(harness, repository, layer);
        var manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"" +
            (artifactType is null ? "" : ",\"artifactType\":\"" + artifactType + "\"") +
            ",\"config\":" + Descriptor(configMediaType, c) + ",\"layers\":[" + Descriptor(layerMediaType, l) + "]" +
            (annotations is null ? "" : ",\"annotations\":" + annotations) + "}");
        var put = await harness.Manifests.PutAsync(repository, ManifestReference.Parse(reference), manifest, OciHttp.OciManifest, [], None);
        return (put, manifest, c.Size + l.Size);
    }

    public static string Descriptor(string mediaType, BlobInfo blob) =>
        "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + blob.Digest + "\",\"size\":" + blob.Size + "}";

    public static ManifestReference Ref(string reference) => ManifestReference.Parse(reference);
}
