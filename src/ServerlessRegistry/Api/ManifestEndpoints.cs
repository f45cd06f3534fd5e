using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>Manifests: pull (end-3), push (end-7, with ?tag= from spec main) and delete (end-9).</summary>
internal static class ManifestEndpoints
{
    /// <summary>Serves the exact bytes pushed, with the media type they were pushed with.</summary>
    public static Task GetManifest(RegistryRequest request) => WriteManifest(request, withContent: true);

    /// <summary>Answered from the row alone, never from content.</summary>
    public static Task HeadManifest(RegistryRequest request) => WriteManifest(request, withContent: false);

    public static async Task PutManifest(RegistryRequest request)
    {
        var reference = ManifestReference.Parse(request.Argument);
        var limit = request.Service<IOptions<RegistryOptions>>().Value.MaxManifestBytes;
        var bytes = await ReadBodyAsync(request, limit);
        var extraTags = request.Request.Query["tag"].Where(t => t is not null).Select(t => t!).ToList();
        var result = await request.Manifests.PutAsync(request.Repository, reference, bytes, request.Request.ContentType, extraTags, request.Aborted);

        var response = request.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = request.RepositoryUrl("manifests/" + result.Digest);
        response.Headers["Docker-Content-Digest"] = result.Digest;
        if (result.Subject is not null)
        {
            response.Headers["OCI-Subject"] = result.Subject;
        }

        if (extraTags.Count > 0)
        {
            response.Headers["OCI-Tag"] = result.Tags.ToArray();
        }

        response.ContentLength = 0;
    }

    public static async Task DeleteManifest(RegistryRequest request)
    {
        var reference = ManifestReference.Parse(request.Argument);
        await request.Manifests.DeleteAsync(request.Repository, reference, request.Aborted);
        request.Response.StatusCode = StatusCodes.Status202Accepted;
        request.Response.ContentLength = 0;
    }

    private static async Task WriteManifest(RegistryRequest request, bool withContent)
    {
        var reference = ManifestReference.ParseForRead(request.Argument);
        var manifest = await request.Manifests.GetAsync(request.Repository, reference, withContent, request.Aborted);
        var response = request.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = manifest.MediaType;
        response.ContentLength = manifest.Size;
        response.Headers["Docker-Content-Digest"] = manifest.Digest;
        response.Headers.ETag = "\"" + manifest.Digest + "\"";
        if (manifest.Bytes is { } bytes)
        {
            await response.Body.WriteAsync(bytes, request.Aborted);
        }
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; a larger manifest is refused with 413 before it is stored.</summary>
    private static async Task<byte[]> ReadBodyAsync(RegistryRequest request, int limit)
    {
        if (request.Request.ContentLength > limit)
        {
            Fail.With(ErrorKind.ManifestTooLarge, $"manifests are limited to {limit} bytes");
        }

        using var buffer = new MemoryStream(request.Request.ContentLength is { } length ? (int)length : 4096);
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Request.Body.ReadAsync(chunk, request.Aborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                Fail.With(ErrorKind.ManifestTooLarge, $"manifests are limited to {limit} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
