using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>Blobs: fetch by redirect (end-2), existence check (end-2 HEAD) and delete (end-10).</summary>
internal static class BlobEndpoints
{
    /// <summary>Answers 307 to a short-lived read-only URL for exactly this blob; no content passes through here.</summary>
    public static async Task<IResult> GetBlob(RegistryRequest request)
    {
        var (blob, location) = await request.Blobs.GetRedirectAsync(request.Repository, request.Digest.Value, request.Aborted);
        return new BlobRedirectResult(location, blob.Digest);
    }

    /// <summary>Answered from the link row alone.</summary>
    public static async Task<IResult> HeadBlob(RegistryRequest request)
    {
        var blob = await request.Blobs.FindAsync(request.Repository, request.Digest.Value, request.Aborted)
                   ?? Fail.With<BlobInfo>(ErrorKind.BlobUnknown, "blob unknown to registry", ("digest", request.Digest.Value));
        return new BlobDescriptorResult(blob);
    }

    public static async Task<IResult> DeleteBlob(RegistryRequest request)
    {
        await request.Blobs.DeleteAsync(request.Repository, request.Digest.Value, request.Aborted);
        return OciResults.Empty(StatusCodes.Status202Accepted);
    }
}
