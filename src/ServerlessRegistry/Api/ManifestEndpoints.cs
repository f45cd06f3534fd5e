using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>Manifests: pull (end-3), push (end-7, with ?tag= from spec main) and delete (end-9).</summary>
internal static class ManifestEndpoints
{
    /// <summary>Serves the exact bytes pushed, with the media type they were pushed with.</summary>
    public static Task<IResult> GetManifest(RegistryRequest request) => ReadManifest(request, withContent: true);

    /// <summary>Answered from the row alone, never from content.</summary>
    public static Task<IResult> HeadManifest(RegistryRequest request) => ReadManifest(request, withContent: false);

    public static async Task<IResult> PutManifest(RegistryRequest request)
    {
        var bytes = await ReadBodyAsync(request, request.Options.MaxManifestBytes);
        var extraTags = request.Request.Query["tag"].Where(t => t is not null).Select(t => t!).ToList();
        var result = await request.Manifests.PutAsync(request.Repository, request.Reference, bytes, request.Request.ContentType, extraTags, request.Aborted);
        if (request.Events.Wants(ChangeAction.Push))
        {
            // One event per tag, as distribution sends; a push by digest alone is one event without a tag.
            var change = new RegistryChange(ChangeAction.Push, request.Repository, result.Digest, result.MediaType, result.Size);
            await request.Events.PublishAsync(
                result.Tags.Count > 0 ? [.. result.Tags.Select(tag => change with { Tag = tag })] : [change],
                ChangeOrigin.Of(request), request.Aborted);
        }

        return new CreatedResult(request.RepositoryUrl("manifests/" + result.Digest), result.Digest)
        {
            Subject = result.Subject,
            Tags = extraTags.Count > 0 ? result.Tags : null,
        };
    }

    public static async Task<IResult> DeleteManifest(RegistryRequest request)
    {
        await request.Manifests.DeleteAsync(request.Repository, request.Reference, request.Aborted);
        if (request.Events.Wants(ChangeAction.Delete))
        {
            await request.Events.PublishAsync([RegistryChange.Deleted(request.Repository, request.Reference)], ChangeOrigin.Of(request), request.Aborted);
        }

        return OciResults.Empty(StatusCodes.Status202Accepted);
    }

    /// <summary>
    /// A GET is a pull: its time is recorded (at most once a day per manifest, off the request path) for retention, and it
    /// is an event when pull events are on.
    /// </summary>
    private static async Task<IResult> ReadManifest(RegistryRequest request, bool withContent)
    {
        var manifest = await request.Manifests.GetAsync(request.Repository, request.Reference, withContent, request.Aborted);
        if (withContent)
        {
            request.Pulls.Record(request.Repository, manifest.Digest);
            if (request.Events.Wants(ChangeAction.Pull))
            {
                await request.Events.PublishAsync(
                    [new RegistryChange(ChangeAction.Pull, request.Repository, manifest.Digest, manifest.MediaType, manifest.Size, request.Reference.IsDigest ? null : request.Reference.Value)],
                    ChangeOrigin.Of(request), request.Aborted);
            }
        }

        return new ManifestResult(manifest);
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
