using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// Fills the cache from the URL an upstream redirected a blob to, off the request path: first by the storage service's
/// own copy (Put Block From URL, in blocks), else by streaming the bytes through this process into Put Block calls.
/// </summary>
/// <remarks>
/// <para>Which sources Azure copies from (Put Block From URL, Blob REST reference): <c>x-ms-copy-source</c> is a URL of
/// at most 2 KiB that must be public or authorized by a SAS in its query (or by <c>x-ms-copy-source-authorization</c>,
/// an OAuth bearer for Azure sources), from any host reachable from the service; <c>x-ms-source-range</c> selects the
/// bytes. CDN URLs of Docker Hub, ghcr.io, quay.io and mcr carry their own signature, so Azure can read them. Azurite
/// (≥ 3.37) copies only from blobs in its own instance and refuses every other source; older Azurite answers 501.
/// Both cases return false from <see cref="IBlobStore.StageBlockFromUriAsync"/>, and the fill streams instead.</para>
/// <para>The length comes from the same GET that the streaming path reads (from offset 0): its Content-Length decides
/// the copy's blocks, and when the copy is refused its body is streamed, so the fallback costs no second request. When
/// the copy is accepted, that GET is dropped after its headers.</para>
/// <para>Verification: the service-side copy never passed the bytes through us, so the committed blob is read back in
/// ranges and hashed before it is adopted; the streaming path hashed in flight and compares before it commits.</para>
/// </remarks>
internal sealed class LocationFill(IUpstreamRegistry upstream, RegistryStorage storage, BlobService blobs, RegistryOptions options, ILogger<LocationFill> logger)
{
    /// <summary>
    /// Bytes per Put Block From URL: few enough requests for a multi-GiB layer (a 2 GiB layer is 32), each well within
    /// the service's per-request timeout, and within every documented block limit (100 MiB before 2019-12-12).
    /// </summary>
    internal const long CopyBlockSize = 64L * 1024 * 1024;

    /// <summary>Copies in flight: they cost no memory here; a few keep the service busy without tripping its throttles.</summary>
    internal const int CopiesInFlight = 4;

    /// <summary>Stores <paramref name="digest"/> from <paramref name="location"/> and links it into <paramref name="repository"/>, or stores nothing.</summary>
    public async Task FillAsync(string repository, Digest digest, Uri location, string upstreamName, CancellationToken ct)
    {
        var blobName = StorageLayout.DataBlob(Guid.NewGuid().ToString("N"));
        var nonce = (uint)Random.Shared.Next();
        using var response = await upstream.GetRedirectedAsync(location, 0, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var length = response.Content.Headers.ContentLength;

        if (length > 0 && await TryCopyAsync(blobName, nonce, location, length.Value, ct).ConfigureAwait(false) is { } blockIds)
        {
            response.Dispose();
            FillLog.Started(logger, repository, digest.Value, upstreamName, "service copy");
            await storage.Blobs.CommitBlocksAsync(blobName, blockIds, BlobService.ContentType, ct).ConfigureAwait(false);
            var actual = await HashCommittedAsync(blobName, digest.Algorithm, ct).ConfigureAwait(false);
            if (actual.Digest != digest || actual.Size != length)
            {
                await storage.Blobs.DeleteAsync(blobName, CancellationToken.None).ConfigureAwait(false);
                FillLog.DigestMismatch(logger, repository, digest.Value, upstreamName, actual.Digest.Value, actual.Size);
                return;
            }

            await blobs.AdoptAsync(repository, blobName, digest.Value, length.Value, ct).ConfigureAwait(false);
            FillLog.Stored(logger, repository, digest.Value, upstreamName, length.Value, "service copy");
            return;
        }

        FillLog.CopyRefused(logger, digest.Value);
        await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await StoreStreamAsync(repository, digest, body, length, upstreamName, "streamed", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores a blob from a stream of its bytes, hashing them in flight: staged blocks, then (when the digest and length
    /// verify) commit and adopt. A mismatch commits nothing; the staged blocks are an orphan for the sweep. Memory is
    /// bounded by the upload settings (blocks in flight × block size) whatever the blob's size.
    /// </summary>
    public async Task StoreStreamAsync(string repository, Digest digest, Stream body, long? length, string upstreamName, string path, CancellationToken ct)
    {
        var blobName = StorageLayout.DataBlob(Guid.NewGuid().ToString("N"));
        var nonce = (uint)Random.Shared.Next();
        FillLog.Started(logger, repository, digest.Value, upstreamName, path);
        using var hash = ResumableHash.Create(digest.Algorithm);
        var written = await BlockWriter.WriteAsync(storage.Blobs, blobName, nonce, 0, body, hash, options, length, ct).ConfigureAwait(false);
        var streamed = hash.Finish();
        if (streamed != digest || (length is { } expected && written.Bytes != expected))
        {
            FillLog.DigestMismatch(logger, repository, digest.Value, upstreamName, streamed.Value, written.Bytes);
            return;
        }

        await storage.Blobs.CommitBlocksAsync(blobName, BlockIds(nonce, written.Blocks), BlobService.ContentType, ct).ConfigureAwait(false);
        await blobs.AdoptAsync(repository, blobName, digest.Value, written.Bytes, ct).ConfigureAwait(false);
        FillLog.Stored(logger, repository, digest.Value, upstreamName, written.Bytes, path);
    }

    /// <summary>
    /// Stages the whole source by service-side copy, <see cref="CopiesInFlight"/> blocks at a time. Null when the first
    /// block is refused (nothing staged); a refusal after the first block is a failure, not a fallback.
    /// </summary>
    internal async Task<IReadOnlyList<string>?> TryCopyAsync(string blobName, uint nonce, Uri source, long length, CancellationToken ct)
    {
        var count = (int)((length + CopyBlockSize - 1) / CopyBlockSize);
        var ids = BlockIds(nonce, count);
        if (!await storage.Blobs.StageBlockFromUriAsync(blobName, ids[0], source, 0, Math.Min(CopyBlockSize, length), ct).ConfigureAwait(false))
        {
            return null;
        }

        var next = 1;
        async Task CopyAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next) - 1) < count)
            {
                var offset = index * CopyBlockSize;
                if (!await storage.Blobs.StageBlockFromUriAsync(blobName, ids[index], source, offset, Math.Min(CopyBlockSize, length - offset), ct).ConfigureAwait(false))
                {
                    throw new StorageException($"storage refused to copy block {index} of a source it copied block 0 of");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Min(CopiesInFlight, count - 1)).Select(_ => CopyAsync())).ConfigureAwait(false);
        return ids;
    }

    /// <summary>Hashes a committed blob through one block-sized buffer at a time (bounded memory, any size).</summary>
    private async Task<(Digest Digest, long Size)> HashCommittedAsync(string blobName, DigestAlgorithm algorithm, CancellationToken ct)
    {
        using var hash = ResumableHash.Create(algorithm);
        long offset = 0;
        while (await storage.Blobs.ReadRangeAsync(blobName, offset, options.BlockSize, ct).ConfigureAwait(false) is { Length: > 0 } chunk)
        {
            hash.Append(chunk);
            offset += chunk.Length;
        }

        return (hash.Finish(), offset);
    }

    internal static string[] BlockIds(uint nonce, int count) =>
        [.. Enumerable.Range(0, count).Select(i => StorageLayout.BlockId(nonce, i))];
}
