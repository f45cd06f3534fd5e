using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>One HTTP request and its full response, printable into an assertion message.</summary>
internal sealed record Exchange(string Request, HttpStatusCode Status, string? ContentType, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string BodyText => Encoding.UTF8.GetString(Body);

    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";

    public override string ToString()
    {
        var headers = string.Join("\n", Headers.Select(h => $"  {h.Key}: {h.Value}"));
        var body = BodyText.Length > 2000 ? BodyText[..2000] + "…" : BodyText;
        return $"{Request}\n=> {(int)Status} {Status}\n{headers}\n{body}";
    }
}

/// <summary>Plain distribution-spec reads, used to check what the clients wrote without trusting the clients.</summary>
internal static class RegistryHttp
{
    private static readonly string[] ManifestTypes =
    [
        OciLayoutBuilder.ManifestType,
        OciLayoutBuilder.IndexType,
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    public static Task<Exchange> GetManifestAsync(this IRegistryUnderTest registry, string repository, string reference) =>
        registry.SendAsync(HttpMethod.Get, $"v2/{repository}/manifests/{reference}", ManifestTypes);

    public static Task<Exchange> GetTagsAsync(this IRegistryUnderTest registry, string repository) =>
        registry.SendAsync(HttpMethod.Get, $"v2/{repository}/tags/list", []);

    public static Task<Exchange> GetReferrersAsync(this IRegistryUnderTest registry, string repository, string digest, string? artifactType = null) =>
        registry.SendAsync(
            HttpMethod.Get,
            $"v2/{repository}/referrers/{digest}" + (artifactType is null ? "" : "?artifactType=" + Uri.EscapeDataString(artifactType)),
            [OciLayoutBuilder.IndexType]);

    /// <summary>The tags of a tags/list response; fails with the whole exchange when it is not a 200.</summary>
    public static async Task<IReadOnlyList<string>> ListTagsAsync(this IRegistryUnderTest registry, string repository)
    {
        var exchange = await registry.GetTagsAsync(repository);
        Assert.True(exchange.Status == HttpStatusCode.OK, exchange.ToString());
        using var json = JsonDocument.Parse(exchange.Body);
        Assert.Equal(repository, json.RootElement.GetProperty("name").GetString());
        var tags = json.RootElement.GetProperty("tags");
        return tags.ValueKind == JsonValueKind.Null ? [] : tags.EnumerateArray().Select(t => t.GetString()!).ToList();
    }

    /// <summary>Monolithic blob upload as the spec describes it: POST an upload session, then PUT ?digest= with the bytes.</summary>
    public static async Task PushBlobAsync(this IRegistryUnderTest registry, string repository, byte[] bytes)
    {
        var start = await registry.SendAsync(HttpMethod.Post, $"v2/{repository}/blobs/uploads/", []);
        Assert.True(start.Status == HttpStatusCode.Accepted, start.ToString());
        var location = new Uri(registry.Client.BaseAddress!, start.Header("Location"));
        var separator = location.Query.Length == 0 ? "?" : "&";
        var put = await registry.SendAsync(
            HttpMethod.Put,
            location.PathAndQuery.TrimStart('/') + separator + "digest=" + OciLayoutBuilder.Sha256(bytes),
            [],
            new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } });
        Assert.True(put.Status == HttpStatusCode.Created, put.ToString());
    }

    /// <summary>PUT /v2/&lt;name&gt;/manifests/&lt;reference&gt; with the exact bytes and their media type.</summary>
    public static Task<Exchange> PutManifestAsync(this IRegistryUnderTest registry, string repository, string reference, byte[] bytes, string mediaType) =>
        registry.SendAsync(
            HttpMethod.Put,
            $"v2/{repository}/manifests/{reference}",
            [],
            new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } });

    public static async Task<Exchange> SendAsync(this IRegistryUnderTest registry, HttpMethod method, string path, IEnumerable<string> accept, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        foreach (var type in accept)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
        }

        using var response = await registry.Client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        var accepts = string.Join(", ", request.Headers.Accept);
        var requestLine = $"{method} {registry.Client.BaseAddress}{path}" + (accepts.Length == 0 ? "" : $"\n  Accept: {accepts}")
            + (content?.Headers.ContentType is { } sent ? $"\n  Content-Type: {sent}" : "");
        return new Exchange(requestLine, response.StatusCode, response.Content.Headers.ContentType?.MediaType, headers, body);
    }
}
