using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace ServerlessRegistry.Testing.Upstreams;

/// <summary>
/// A registry upstream of blobs held in memory that answers blob GETs as Docker Hub does, with a 307 to a second host
/// (the "CDN", on another port) that serves the bytes with ranges; or, with <see cref="ServeBytes"/>, serves them
/// itself as CNCF distribution's filesystem driver does. Fault switches: wrong bytes, 429 with Retry-After, a pause
/// before the last bytes. Counts requests per path. Anonymous; thread-safe.
/// </summary>
public sealed class RedirectingUpstream : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _blobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private LoopbackHost _registry = null!;
    private LoopbackHost _cdn = null!;

    private RedirectingUpstream()
    {
    }

    /// <summary>The registry's address (scheme, host, port).</summary>
    public Uri BaseAddress => _registry.BaseAddress;

    /// <summary>The CDN's address, where blob GETs are redirected.</summary>
    public Uri CdnAddress => _cdn.BaseAddress;

    /// <summary>Serve blob bytes from the registry itself (200) instead of redirecting.</summary>
    public bool ServeBytes { get; set; }

    /// <summary>Serve bytes that do not match the digest asked for (same length, last byte flipped).</summary>
    public bool WrongBytes { get; set; }

    /// <summary>Answer every registry request with 429 and this Retry-After (seconds), when set.</summary>
    public int? RateLimitSeconds { get; set; }

    /// <summary>When set, bytes are served in two halves with this task awaited between them (tests hold a transfer open).</summary>
    public Task? PauseMidway { get; set; }

    public static async Task<RedirectingUpstream> StartAsync()
    {
        var upstream = new RedirectingUpstream();
        upstream._cdn = await LoopbackHost.StartAsync(upstream.CdnAsync);
        upstream._registry = await LoopbackHost.StartAsync(upstream.RegistryAsync);
        return upstream;
    }

    /// <summary>Adds a blob and returns its digest.</summary>
    public string AddBlob(byte[] content)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        _blobs[digest] = content;
        return digest;
    }

    /// <summary>Requests seen for a path (e.g. "/cdn/sha256:…" or "/v2/library/x/blobs/sha256:…").</summary>
    public int Requests(string path) => _requests.GetValueOrDefault(path);

    /// <summary>The CDN path a blob is redirected to.</summary>
    public static string CdnPath(string digest) => "/cdn/" + digest;

    private async Task RegistryAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (RateLimitSeconds is { } seconds)
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return;
        }

        var at = path.IndexOf("/blobs/", StringComparison.Ordinal);
        if (path == "/v2/" || path == "/v2")
        {
            return;
        }

        if (at < 0 || !_blobs.TryGetValue(path[(at + "/blobs/".Length)..], out var content))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var digest = path[(at + "/blobs/".Length)..];
        context.Response.Headers["Docker-Content-Digest"] = digest;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentLength = content.Length;
            return;
        }

        if (!ServeBytes)
        {
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            context.Response.Headers.Location = new Uri(CdnAddress, CdnPath(digest) + "?sig=signed").AbsoluteUri;
            return;
        }

        await WriteAsync(context, content, 0);
    }

    private async Task CdnAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
        if (!path.StartsWith("/cdn/", StringComparison.Ordinal) || !_blobs.TryGetValue(path["/cdn/".Length..], out var content))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        long from = 0;
        if (context.Request.Headers.Range.ToString() is { Length: > 6 } range && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            from = long.Parse(range[6..range.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {from}-{content.Length - 1}/{content.Length}";
        }

        await WriteAsync(context, content, (int)from);
    }

    private async Task WriteAsync(HttpContext context, byte[] content, int from)
    {
        var body = content.AsMemory(from).ToArray();
        if (WrongBytes && body.Length > 0)
        {
            body[^1] ^= 0xFF;
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = body.Length;
        var half = body.Length / 2;
        await context.Response.Body.WriteAsync(body.AsMemory(0, half), context.RequestAborted);
        if (PauseMidway is { } pause)
        {
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await pause.WaitAsync(context.RequestAborted);
        }

        await context.Response.Body.WriteAsync(body.AsMemory(half), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _registry.DisposeAsync();
        await _cdn.DisposeAsync();
    }
}
