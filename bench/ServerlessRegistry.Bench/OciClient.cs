using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessRegistry.Bench;

/// <summary>The client side of the distribution spec, the way docker and skopeo drive it, with no test asserts.</summary>
internal static class OciClient
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";

    public static string Sha256(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Fresh random bytes: every run pushes content no store has seen.</summary>
    public static byte[] RandomBytes(long length)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(checked((int)length));
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    public static async Task<string> StartUploadAsync(HttpClient registry, string repository)
    {
        using var response = await registry.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Expect(response, HttpStatusCode.Accepted, "POST upload");
        return response.Headers.Location!.ToString();
    }

    /// <summary>Docker's way: one PATCH streaming the whole layer (chunked encoding, no Content-Range), then PUT ?digest=.</summary>
    public static async Task PushStreamedAsync(HttpClient registry, string repository, ReadOnlyMemory<byte> data, string digest)
    {
        var location = await StartUploadAsync(registry, repository);
        using (var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamedContent(data) })
        using (var response = await registry.SendAsync(patch))
        {
            Expect(response, HttpStatusCode.Accepted, "PATCH");
            location = response.Headers.Location!.ToString();
        }

        await CompleteAsync(registry, location, digest, null);
    }

    /// <summary>Chunked push: PATCHes of <paramref name="chunkSize"/> with Content-Range, then an empty PUT ?digest=.</summary>
    public static async Task PushChunkedAsync(HttpClient registry, string repository, ReadOnlyMemory<byte> data, string digest, int chunkSize)
    {
        var location = await StartUploadAsync(registry, repository);
        for (var offset = 0; offset < data.Length; offset += chunkSize)
        {
            var chunk = data.Slice(offset, Math.Min(chunkSize, data.Length - offset));
            var content = new ReadOnlyMemoryContent(chunk);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = content };
            patch.Content.Headers.TryAddWithoutValidation("Content-Range", string.Create(CultureInfo.InvariantCulture, $"{offset}-{offset + chunk.Length - 1}"));
            using var response = await registry.SendAsync(patch);
            Expect(response, HttpStatusCode.Accepted, "PATCH chunk");
            location = response.Headers.Location!.ToString();
        }

        await CompleteAsync(registry, location, digest, null);
    }

    /// <summary>POST, then the whole blob in the PUT.</summary>
    public static async Task PushMonolithicAsync(HttpClient registry, string repository, ReadOnlyMemory<byte> data, string digest)
    {
        var location = await StartUploadAsync(registry, repository);
        await CompleteAsync(registry, location, digest, data);
    }

    public static async Task CompleteAsync(HttpClient registry, string location, string digest, ReadOnlyMemory<byte>? body)
    {
        var url = location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + digest;
        using var put = new HttpRequestMessage(HttpMethod.Put, url) { Content = new ReadOnlyMemoryContent(body ?? ReadOnlyMemory<byte>.Empty) };
        using var response = await registry.SendAsync(put);
        Expect(response, HttpStatusCode.Created, "PUT ?digest=");
    }

    /// <summary>Pushes a small config and <paramref name="layers"/>, then a manifest under <paramref name="tag"/>. Returns its digest.</summary>
    public static async Task<string> PushImageAsync(HttpClient registry, string repository, string tag, IReadOnlyList<byte[]> layers, string? annotation = null)
    {
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[]}},\"nonce\":\"{Guid.NewGuid():N}\"}}");
        var configDigest = Sha256(config);
        await PushMonolithicAsync(registry, repository, config, configDigest);
        var descriptors = new List<string>();
        foreach (var layer in layers)
        {
            var digest = Sha256(layer);
            await PushStreamedAsync(registry, repository, layer, digest);
            descriptors.Add($"{{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"{digest}\",\"size\":{layer.Length}}}");
        }

        var manifest = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{{\"schemaVersion\":2,\"mediaType\":\"{OciManifest}\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{configDigest}\",\"size\":{config.Length}}}")
            .Append(",\"layers\":[").Append(string.Join(',', descriptors)).Append(']');
        if (annotation is not null)
        {
            manifest.Append(",\"annotations\":{\"org.example.note\":\"").Append(annotation).Append("\"}");
        }

        var bytes = Encoding.UTF8.GetBytes(manifest.Append('}').ToString());
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(OciManifest);
        using var response = await registry.PutAsync($"/v2/{repository}/manifests/{tag}", content);
        Expect(response, HttpStatusCode.Created, "PUT manifest");
        return Sha256(bytes);
    }

    public static async Task<byte[]> GetManifestAsync(HttpClient registry, string repository, string reference)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{repository}/manifests/{reference}");
        request.Headers.Accept.ParseAdd(OciManifest);
        using var response = await registry.SendAsync(request);
        Expect(response, HttpStatusCode.OK, "GET manifest");
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>A whole pull as a client makes it: the manifest by tag, then its config and layers through their 307s. Returns the bytes read.</summary>
    public static async Task<long> PullImageAsync(HttpClient registry, HttpClient storage, string repository, string tag)
    {
        using var manifest = System.Text.Json.JsonDocument.Parse(await GetManifestAsync(registry, repository, tag));
        var root = manifest.RootElement;
        long total = 0;
        foreach (var descriptor in root.GetProperty("layers").EnumerateArray().Prepend(root.GetProperty("config")))
        {
            total += await PullBlobAsync(registry, storage, repository, descriptor.GetProperty("digest").GetString()!);
        }

        return total;
    }

    /// <summary>GET the blob from the registry (307) and download it from storage. Returns the bytes read.</summary>
    public static async Task<long> PullBlobAsync(HttpClient registry, HttpClient storage, string repository, string digest)
    {
        Uri location;
        using (var response = await registry.GetAsync($"/v2/{repository}/blobs/{digest}"))
        {
            Expect(response, HttpStatusCode.TemporaryRedirect, "GET blob");
            location = response.Headers.Location!;
        }

        return await DownloadAsync(storage, location);
    }

    public static async Task<long> DownloadAsync(HttpClient storage, Uri url)
    {
        using var response = await storage.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Expect(response, HttpStatusCode.OK, "download");
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1024 * 1024];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    public static void Expect(HttpResponseMessage response, HttpStatusCode status, string what)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{what} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)status}");
        }
    }

    /// <summary>A body with no known length, so HttpClient sends it with chunked transfer encoding (as docker does).</summary>
    private sealed class StreamedContent(ReadOnlyMemory<byte> data) : HttpContent
    {
        private const int WriteSize = 256 * 1024;

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < data.Length; offset += WriteSize)
            {
                await stream.WriteAsync(data.Slice(offset, Math.Min(WriteSize, data.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
