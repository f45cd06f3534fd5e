using Xunit;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ServerlessRegistry.Testing;

/// <summary>Small spec-level helpers for flow tests: push blobs and manifests, read error codes.</summary>
public static class OciHttp
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";

    public static string Sha256(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    public static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>PATCHes bytes [<paramref name="start"/>, <paramref name="end"/>] of <paramref name="content"/> with their Content-Range.</summary>
    public static Task<HttpResponseMessage> PatchChunkAsync(this HttpClient client, string location, byte[] content, int start, int end)
    {
        var body = new ByteArrayContent(content[start..(end + 1)]);
        body.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{end}");
        return client.PatchAsync(location, body);
    }

    /// <summary>GETs a blob, asserts the registry's 307, and reads the content from where it points.</summary>
    public static async Task<byte[]> FollowBlobAsync(this HttpClient client, string url)
    {
        using var get = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.TemporaryRedirect, get.StatusCode);
        using var storage = new HttpClient();
        return await storage.GetByteArrayAsync(get.Headers.Location);
    }

    /// <summary>POST then PUT with the whole body; asserts 201 and returns the digest.</summary>
    public static async Task<string> PushBlobAsync(this HttpClient client, string repository, byte[] content)
    {
        var digest = Sha256(content);
        using var start = await client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        using var put = await client.PutAsync(location + "?digest=" + digest, new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }

    public static async Task<HttpResponseMessage> PutManifestAsync(this HttpClient client, string repository, string reference, byte[] manifest, string mediaType = OciManifest)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return await client.PutAsync($"/v2/{repository}/manifests/{reference}", content);
    }

    /// <summary>Pushes a config and one layer, then an image manifest under <paramref name="tag"/>. Returns the manifest bytes.</summary>
    public static async Task<(byte[] Manifest, string Digest)> PushImageAsync(this HttpClient client, string repository, string tag, int layerSize = 1024, string? subject = null, string? artifactType = null, string? annotation = null)
    {
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var layer = RandomBytes(layerSize);
        var configDigest = await client.PushBlobAsync(repository, config);
        var layerDigest = await client.PushBlobAsync(repository, layer);
        var manifest = ImageManifest(configDigest, config.Length, layerDigest, layer.Length, subject, artifactType, annotation);
        using var response = await client.PutManifestAsync(repository, tag, manifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (manifest, Sha256(manifest));
    }

    public static byte[] ImageManifest(string configDigest, long configSize, string layerDigest, long layerSize, string? subject = null, string? artifactType = null, string? annotation = null)
    {
        var sb = new StringBuilder();
        sb.Append("{\"schemaVersion\":2,\"mediaType\":\"").Append(OciManifest).Append('"');
        if (artifactType is not null)
        {
            sb.Append(",\"artifactType\":\"").Append(artifactType).Append('"');
        }

        sb.Append(",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"").Append(configDigest).Append("\",\"size\":").Append(configSize).Append('}');
        sb.Append(",\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"").Append(layerDigest).Append("\",\"size\":").Append(layerSize).Append("}]");
        if (subject is not null)
        {
            sb.Append(",\"subject\":{\"mediaType\":\"").Append(OciManifest).Append("\",\"digest\":\"").Append(subject).Append("\",\"size\":1}");
        }

        if (annotation is not null)
        {
            sb.Append(",\"annotations\":{\"org.example.note\":").Append(JsonSerializer.Serialize(annotation, OciJson.Default.String)).Append('}');
        }

        sb.Append('}');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    /// <summary>The first error code of a spec error envelope.</summary>
    public static async Task<string> ErrorCodeAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        using var json = JsonDocument.Parse(body);
        return json.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class OciJson : System.Text.Json.Serialization.JsonSerializerContext;
