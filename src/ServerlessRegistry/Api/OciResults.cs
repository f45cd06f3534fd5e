using System.Text.Json;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>
/// The registry's responses as results: handlers return one, the dispatcher executes it. Each sets the exact headers
/// the spec asks for and an exact Content-Length; none buffers a body it does not already hold.
/// </summary>
internal static class OciResults
{
    /// <summary>A response with no body: 202 for an accepted delete, 204 for a cancelled upload.</summary>
    public static IResult Empty(int status) => status == StatusCodes.Status202Accepted ? Accepted : new EmptyResult(status);

    private static readonly IResult Accepted = new EmptyResult(StatusCodes.Status202Accepted);

    private sealed class EmptyResult(int status) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            if (status != StatusCodes.Status204NoContent)
            {
                context.Response.ContentLength = 0;
            }

            return Task.CompletedTask;
        }
    }
}

/// <summary>307 to a short-lived read URL for a blob, with its digest (end-2).</summary>
internal sealed class BlobRedirectResult(Uri location, string digest) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        response.Headers.Location = location.AbsoluteUri;
        response.Headers["Docker-Content-Digest"] = digest;
        response.ContentLength = 0;
        return Task.CompletedTask;
    }
}

/// <summary>200 for HEAD on a blob: its size and digest, no content (end-2).</summary>
internal sealed class BlobDescriptorResult(BlobInfo blob) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = blob.Size;
        response.Headers.AcceptRanges = "bytes";
        response.Headers["Docker-Content-Digest"] = blob.Digest;
        return Task.CompletedTask;
    }
}

/// <summary>201 with the new content's location and digest: a blob or manifest stored (end-4b, 6, 7, 11).</summary>
internal sealed class CreatedResult(string location, string digest) : IResult
{
    /// <summary>The subject a pushed manifest names (OCI-Subject).</summary>
    public string? Subject { get; init; }

    /// <summary>The tags a push with ?tag= applied (OCI-Tag), or null when none were asked for.</summary>
    public IReadOnlyList<string>? Tags { get; init; }

    public Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = location;
        response.Headers["Docker-Content-Digest"] = digest;
        if (Subject is not null)
        {
            response.Headers["OCI-Subject"] = Subject;
        }

        if (Tags is not null)
        {
            response.Headers["OCI-Tag"] = Tags.ToArray();
        }

        response.ContentLength = 0;
        return Task.CompletedTask;
    }
}

/// <summary>202 (or 204 for a status query) describing an open upload session: Location, Range, Docker-Upload-UUID (end-4a, 5, 13).</summary>
internal sealed class UploadSessionResult(string location, UploadStatus status, int statusCode) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.Headers.Location = location;
        response.Headers.Range = "0-" + Math.Max(0, status.Offset - 1);
        response.Headers["Docker-Upload-UUID"] = status.Id;
        if (statusCode != StatusCodes.Status204NoContent)
        {
            response.ContentLength = 0;
        }

        return Task.CompletedTask;
    }
}

/// <summary>200 with a manifest's exact bytes (GET) or only its headers (HEAD), under the media type it was pushed with (end-3).</summary>
internal sealed class ManifestResult(ManifestContent manifest) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = manifest.MediaType;
        response.ContentLength = manifest.Size;
        response.Headers["Docker-Content-Digest"] = manifest.Digest;
        response.Headers.ETag = "\"" + manifest.Digest + "\"";
        return manifest.Bytes is { } bytes ? response.Body.WriteAsync(bytes, context.RequestAborted).AsTask() : Task.CompletedTask;
    }
}

/// <summary>200 with a small JSON document (lists, the referrers index, the version check), optionally paged by a Link header.</summary>
internal sealed class JsonListResult(string contentType, Action<Utf8JsonWriter> write) : IResult
{
    /// <summary>The next page (RFC 5988 Link, rel="next"), or null on the last page.</summary>
    public string? Link { get; init; }

    /// <summary>OCI-Filters-Applied, for a referrers list filtered by artifactType.</summary>
    public string? FiltersApplied { get; init; }

    public Task ExecuteAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        if (Link is not null)
        {
            headers.Link = Link;
        }

        if (FiltersApplied is not null)
        {
            headers["OCI-Filters-Applied"] = FiltersApplied;
        }

        return JsonBody.WriteAsync(context.Response, StatusCodes.Status200OK, contentType, write, context.RequestAborted);
    }
}
