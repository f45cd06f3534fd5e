using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// An upstream that serves a blob's bytes itself: they pass to the client once, and into staged blocks on the way,
/// with memory bounded by (blocks in flight + 1) × block size plus one read. The client's last bytes are held back until
/// the digest verifies; on a mismatch the response is aborted, so the client's read fails instead of returning wrong bytes.
/// </summary>
/// <remarks>
/// A client that leaves mid-way does not stop a fill: it runs as a <see cref="FillJobs"/> job, reading the upstream
/// to the end (bounded by the fill timeout), then commits and adopts. Only the request that holds the fill claim stores;
/// the others stream through (verified the same way) without storing.
/// </remarks>
internal sealed class StreamThrough(FillClaims claims, RegistryStorage storage, BlobService blobs, RegistryOptions options, ILogger<StreamThrough> logger)
{
    /// <summary>Streams <paramref name="blob"/> to <paramref name="client"/> (headers already set), storing it when <paramref name="mayStore"/> and the claim is won. Disposes <paramref name="blob"/>.</summary>
    public async Task RunAsync(HttpContext client, UpstreamBlob blob, string repository, Digest digest, string upstreamName, bool mayStore, CancellationToken ct)
    {
        using var owned = blob;
        var response = blob.Response!;
        var length = response.Content.Headers.ContentLength;
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var held = new HeldBackStream(body, client, () => FillLog.ClientLeft(logger, digest.Value));
        using var hash = ResumableHash.Create(digest.Algorithm);
        var claim = mayStore ? await claims.TryClaimAsync(digest.Value, ct).ConfigureAwait(false) : null;
        try
        {
            // A fill that finished since this request looked: link that copy, and only pass the bytes on.
            var store = claim is not null && await blobs.MountAsync(repository, digest.Value, ct).ConfigureAwait(false) is null;
            var blobName = StorageLayout.DataBlob(Guid.NewGuid().ToString("N"));
            var nonce = (uint)Random.Shared.Next();
            long bytes;
            var blocks = 0;
            try
            {
                if (store)
                {
                    FillLog.Started(logger, repository, digest.Value, upstreamName, "stream-through");
                    var written = await BlockWriter.WriteAsync(storage.Blobs, blobName, nonce, 0, held, hash, options, length, ct).ConfigureAwait(false);
                    (bytes, blocks) = (written.Bytes, written.Blocks);
                }
                else
                {
                    bytes = await HashAllAsync(held, hash, options.BlockSize, ct).ConfigureAwait(false);
                }
            }
            catch
            {
                client.Abort();
                throw;
            }

            var actual = hash.Finish();
            if (actual != digest || (length is { } expected && bytes != expected))
            {
                client.Abort();
                FillLog.DigestMismatch(logger, repository, digest.Value, upstreamName, actual.Value, bytes);
                return;
            }

            await held.ReleaseAsync().ConfigureAwait(false);
            if (store)
            {
                await storage.Blobs.CommitBlocksAsync(blobName, LocationFill.BlockIds(nonce, blocks), BlobService.ContentType, ct).ConfigureAwait(false);
                await blobs.AdoptAsync(repository, blobName, digest.Value, bytes, ct).ConfigureAwait(false);
                FillLog.Stored(logger, repository, digest.Value, upstreamName, bytes, "stream-through");
            }
        }
        finally
        {
            if (claim is not null)
            {
                await claims.ReleaseAsync(digest.Value, claim).ConfigureAwait(false);
            }
        }
    }

    private static async Task<long> HashAllAsync(Stream body, ResumableHash hash, int bufferSize, CancellationToken ct)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(bufferSize);
        try
        {
            long total = 0;
            int read;
            while ((read = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
                total += read;
            }

            return total;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
