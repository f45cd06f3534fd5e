using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Mirror.Fill;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// Blobs of cached repositories. A cached blob is the usual 307 to our storage, from the link row alone. A blob the
/// registry holds for another repository is linked here (once the upstream confirms this repository has it) instead of
/// fetched again. Anything else is a miss, which <see cref="BlobFiller"/> answers without keeping compute busy.
/// </summary>
internal sealed class MirrorBlobs(RegistryStorage storage, BlobService blobs, IUpstreamRegistry upstream, BlobFiller filler)
{
    public async Task<IResult> GetAsync(RegistryRequest request, UpstreamTarget target, bool withContent)
    {
        var (repository, digest, ct) = (request.Repository, request.Digest.Value, request.Aborted);
        var blob = await blobs.FindAsync(repository, digest, ct).ConfigureAwait(false)
                   ?? await LinkHeldContentAsync(repository, target, digest, ct).ConfigureAwait(false);
        if (blob is not null)
        {
            return withContent
                ? new BlobRedirectResult(await blobs.ReadUriAsync(blob, ct).ConfigureAwait(false), digest)
                : new BlobDescriptorResult(blob);
        }

        return withContent
            ? await filler.GetMissAsync(request, target).ConfigureAwait(false)
            : await filler.HeadMissAsync(request, target).ConfigureAwait(false);
    }

    /// <summary>
    /// Links content the registry already holds under another name. A digest alone must not open another repository's
    /// content to a caller, so the upstream must first confirm that this repository has the blob (a HEAD, which is cheap
    /// and not counted as a pull). Null when the registry does not hold it, or the upstream cannot confirm it now.
    /// </summary>
    private async Task<BlobInfo?> LinkHeldContentAsync(string repository, UpstreamTarget target, string digest, CancellationToken ct)
    {
        if (await storage.Metadata.GetAsync(storage.Layout.BlobIndexTable, digest, "", ct).ConfigureAwait(false) is null)
        {
            return null;
        }

        try
        {
            if (await upstream.HeadBlobAsync(target, digest, ct).ConfigureAwait(false) is null)
            {
                return null;
            }
        }
        catch (UpstreamException)
        {
            return null;
        }

        return await blobs.MountAsync(repository, digest, ct).ConfigureAwait(false);
    }
}
