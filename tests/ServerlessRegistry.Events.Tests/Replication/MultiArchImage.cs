using System.Net;
using System.Text;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests.Replication;

/// <summary>An OCI index of two platform images (config and layer each) and a signature whose subject is the index.</summary>
internal sealed record MultiArchImage(byte[] Index, string IndexDigest, IReadOnlyList<(byte[] Bytes, string Digest)> Platforms, byte[] Signature, string SignatureDigest)
{
    public const string SignatureType = "application/vnd.example.signature.v1+json";

    public static async Task<MultiArchImage> PushAsync(HttpClient client, string repository, string tag, bool signed = true)
    {
        var platforms = new List<(byte[], string)>();
        var entries = new List<string>();
        foreach (var arch in new[] { "amd64", "arm64" })
        {
            var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"{arch}\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[]}}}}");
            var layer = OciHttp.RandomBytes(3000);
            var manifest = OciHttp.ImageManifest(await client.PushBlobAsync(repository, config), config.Length, await client.PushBlobAsync(repository, layer), layer.Length);
            var digest = OciHttp.Sha256(manifest);
            await PutAsync(client, repository, digest, manifest, OciHttp.OciManifest);
            platforms.Add((manifest, digest));
            entries.Add($"{{\"mediaType\":\"{OciHttp.OciManifest}\",\"digest\":\"{digest}\",\"size\":{manifest.Length},\"platform\":{{\"architecture\":\"{arch}\",\"os\":\"linux\"}}}}");
        }

        var index = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{OciHttp.OciIndex}\",\"manifests\":[{string.Join(",", entries)}]}}");
        var indexDigest = OciHttp.Sha256(index);
        await PutAsync(client, repository, tag, index, OciHttp.OciIndex);
        if (!signed)
        {
            return new MultiArchImage(index, indexDigest, platforms, [], "");
        }

        var (signature, signatureDigest) = await SignAsync(client, repository, indexDigest);
        return new MultiArchImage(index, indexDigest, platforms, signature, signatureDigest);
    }

    /// <summary>Pushes a signature of <paramref name="subject"/> by digest alone, as cosign, notation and oras attach do.</summary>
    public static async Task<(byte[] Bytes, string Digest)> SignAsync(HttpClient client, string repository, string subject)
    {
        var empty = "{}"u8.ToArray();
        var payload = OciHttp.RandomBytes(200);
        var signature = OciHttp.ImageManifest(await client.PushBlobAsync(repository, empty), empty.Length, await client.PushBlobAsync(repository, payload), payload.Length,
            subject: subject, artifactType: SignatureType);
        var signatureDigest = OciHttp.Sha256(signature);
        await PutAsync(client, repository, signatureDigest, signature, OciHttp.OciManifest);
        return (signature, signatureDigest);
    }

    private static async Task PutAsync(HttpClient client, string repository, string reference, byte[] bytes, string mediaType)
    {
        using var response = await client.PutManifestAsync(repository, reference, bytes, mediaType);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
