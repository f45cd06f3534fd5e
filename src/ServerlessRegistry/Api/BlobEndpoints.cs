using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>Blobs: fetch by redirect (end-2), existence check (end-2 HEAD) and delete (end-10).</summary>
internal static class BlobEndpoints
{
    /// <summary>Answers 307 to a short-lived read-only URL for exactly this blob; no content passes through here.</summary>
    public static async Task GetBlob(RegistryRequest request)
    {
        var digest = ManifestReference.ParseDigest(request.Argument);
        var (blob, location) = await request.Blobs.GetRedirectAsync(request.Repository, digest.Value, request.Aborted);
        var response = request.Response;
        response.StatusCode = StatusCodes.Status307TemporaryRedirect;
        response.Headers.Location = location.AbsoluteUri;
        response.Headers["Docker-Content-Digest"] = blob.Digest;
        response.ContentLength = 0;
    }

    /// <summary>Answered from the link row alone.</summary>
    public static async Task HeadBlob(RegistryRequest request)
    {
        var digest = ManifestReference.ParseDigest(request.Argument);
        var blob = await request.Blobs.FindAsync(request.Repository, digest.Value, request.Aborted)
                   ?? Core.Errors.Fail.With<BlobInfo>(Core.Errors.ErrorKind.BlobUnknown, "blob unknown to registry", ("digest", digest.Value));
        var response = request.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/octet-stream";
        response.ContentLength = blob.Size;
        response.Headers.AcceptRanges = "bytes";
        response.Headers["Docker-Content-Digest"] = blob.Digest;
    }

    public static async Task DeleteBlob(RegistryRequest request)
    {
        var digest = ManifestReference.ParseDigest(request.Argument);
        await request.Blobs.DeleteAsync(request.Repository, digest.Value, request.Aborted);
        request.Response.StatusCode = StatusCodes.Status202Accepted;
        request.Response.ContentLength = 0;
    }
}
