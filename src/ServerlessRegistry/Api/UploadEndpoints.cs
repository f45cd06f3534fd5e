using Microsoft.AspNetCore.Http.Features;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>Blob uploads: start or mount (end-4, end-11), chunks (end-5), complete (end-6), status (end-13), cancel (end-14).</summary>
internal static class UploadEndpoints
{
    /// <summary>
    /// POST: mounts when <c>mount</c> names a blob the registry holds (201), uploads the whole body when
    /// <c>digest</c> is given (201), else opens a session (202).
    /// </summary>
    public static async Task<IResult> StartBlobUpload(RegistryRequest request)
    {
        if (request.Query("mount") is { } mountText)
        {
            var mount = ManifestReference.ParseDigest(mountText);
            // A mount reads from "from", so the caller must be able to pull it.
            var from = request.Query("from") is { } f && Names.IsValidRepository(f) && await request.Authorizer.CanAsync(request.Http, f, Access.Pull) ? f : null;
            // With auth on, knowing a digest proves nothing: mount only from a readable "from" that links the blob, never
            // from the registry-wide index. Otherwise the spec's fallback applies: a normal upload (202) follows.
            var allowed = !request.Authorizer.Enforced || from is not null && await request.Blobs.FindAsync(from, mount.Value, request.Aborted) is not null;
            if (allowed && await request.Blobs.MountAsync(request.Repository, mount.Value, request.Aborted) is { } mounted)
            {
                if (request.Events.Wants(ChangeAction.Mount))
                {
                    await request.Events.PublishAsync(
                        [new RegistryChange(ChangeAction.Mount, request.Repository, mounted.Digest, "application/octet-stream", mounted.Size, FromRepository: from)],
                        ChangeOrigin.Of(request), request.Aborted);
                }

                return BlobCreated(request, mounted);
            }
        }

        if (request.Query("digest") is { } digestText)
        {
            var digest = ManifestReference.ParseDigest(digestText);
            AllowLargeBody(request);
            var blob = await request.Uploads.UploadMonolithicAsync(request.Repository, digest, request.Request.Body, request.Request.ContentLength, request.Aborted);
            return BlobCreated(request, blob);
        }

        var algorithmText = request.Query("digest-algorithm") ?? "sha256";
        if (!Digest.TryParseAlgorithm(algorithmText, out var algorithm))
        {
            Fail.With(ErrorKind.DigestInvalid, "unsupported digest algorithm", ("digest-algorithm", algorithmText));
        }

        var status = await request.Uploads.StartAsync(request.Repository, algorithm, Owner(request), request.Aborted);
        return UploadSession(request, status, StatusCodes.Status202Accepted);
    }

    /// <summary>Streams the body to storage as it arrives; nothing is buffered beyond the blocks in flight.</summary>
    public static async Task<IResult> PatchBlobData(RegistryRequest request)
    {
        AllowLargeBody(request);
        var range = ParseContentRange(request.Request.Headers.ContentRange);
        var status = await request.Uploads.AppendAsync(request.Repository, request.UploadId, Owner(request), request.Request.Body, range, request.Request.ContentLength, request.Aborted);
        return UploadSession(request, status, StatusCodes.Status202Accepted);
    }

    public static async Task<IResult> PutBlobUploadComplete(RegistryRequest request)
    {
        var digest = ManifestReference.ParseDigest(request.Query("digest"));
        AllowLargeBody(request);
        var range = ParseContentRange(request.Request.Headers.ContentRange);
        var blob = await request.Uploads.CompleteAsync(request.Repository, request.UploadId, Owner(request), digest, request.Request.Body, range, request.Request.ContentLength, request.Aborted);
        return BlobCreated(request, blob);
    }

    public static async Task<IResult> GetBlobUploadStatus(RegistryRequest request)
    {
        var status = await request.Uploads.GetStatusAsync(request.Repository, request.UploadId, Owner(request), request.Aborted);
        return UploadSession(request, status, StatusCodes.Status204NoContent);
    }

    public static async Task<IResult> CancelBlobUpload(RegistryRequest request)
    {
        await request.Uploads.CancelAsync(request.Repository, request.UploadId, Owner(request), request.Aborted);
        return OciResults.Empty(StatusCodes.Status204NoContent);
    }

    /// <summary>An upload session belongs to its caller: another caller is told it does not exist.</summary>
    private static string? Owner(RegistryRequest request) => request.Authorizer.CallerOf(request.Http);

    private static CreatedResult BlobCreated(RegistryRequest request, BlobInfo blob) =>
        new(request.RepositoryUrl("blobs/" + blob.Digest), blob.Digest);

    private static UploadSessionResult UploadSession(RegistryRequest request, UploadStatus status, int statusCode) =>
        new(request.RepositoryUrl("blobs/uploads/" + status.Id), status, statusCode);

    /// <summary>Layers are far larger than Kestrel's default 30 MB body cap; memory stays bounded by streaming.</summary>
    private static void AllowLargeBody(RegistryRequest request)
    {
        if (request.Http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = null;
        }
    }

    /// <summary>Parses the spec's <c>start-end</c> form (inclusive); absent → null.</summary>
    internal static ChunkRange? ParseContentRange(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        var text = header.StartsWith("bytes", StringComparison.Ordinal) ? header[5..].TrimStart(' ', '=') : header;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            text = text[..slash];
        }

        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !long.TryParse(text.AsSpan(0, dash), System.Globalization.NumberStyles.None, null, out var start) ||
            !long.TryParse(text.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out var end))
        {
            return Fail.With<ChunkRange>(ErrorKind.BlobUploadInvalid, "Content-Range must be <start>-<end>", ("Content-Range", header));
        }

        if (end < start)
        {
            Fail.With(ErrorKind.RangeInvalid, "Content-Range ends before it starts", ("Content-Range", header));
        }

        return new ChunkRange(start, end);
    }
}
