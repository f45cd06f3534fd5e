using System.Collections.Frozen;
using System.Security.Cryptography;

namespace ServerlessRegistry.Web.Html;

/// <summary>
/// The stylesheet and the copy script, embedded in the assembly and served from /static/{hash}/{file}: the content
/// hash in the URL lets browsers keep them forever (Cache-Control immutable) and a new build changes every URL.
/// Loaded once; thread-safe.
/// </summary>
internal static class StaticAssets
{
    internal sealed record Asset(string Hash, string ContentType, byte[] Content);

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    /// <summary>The versioned URL of an embedded file ("site.css" → "/static/1a2b3c4d5e6f/site.css").</summary>
    public static string Url(string file) => $"/static/{Assets[file].Hash}/{file}";

    /// <summary>The asset a /static/{hash}/{file} path names, or null (an unknown file or a stale hash).</summary>
    public static Asset? Find(string hash, string file) =>
        Assets.TryGetValue(file, out var asset) && asset.Hash == hash ? asset : null;

    public static async Task WriteAsync(HttpContext context, Asset asset)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.Headers.CacheControl = "public, max-age=31536000, immutable";
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = asset.Content.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(asset.Content, context.RequestAborted);
        }
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(StaticAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var (file, type) in new[] { ("site.css", "text/css; charset=utf-8"), ("copy.js", "text/javascript; charset=utf-8") })
        {
            using var stream = assembly.GetManifestResourceStream("web/" + file)
                ?? throw new InvalidOperationException($"The embedded web asset '{file}' is missing from the build.");
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            assets[file] = new Asset(Convert.ToHexStringLower(SHA256.HashData(content))[..12], type, content);
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
