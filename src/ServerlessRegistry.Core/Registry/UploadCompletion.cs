using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Completing an upload (the final PUT): the digest check, the claim of the session, the commit, and writing the
/// session back when a completion fails after its claim.
/// </summary>
internal sealed partial class UploadService
{
    /// <summary>
    /// The final PUT: appends an optional last chunk, checks the digest and commits the blocks and links the blob.
    /// A digest of the session's algorithm is checked against the hash state saved so far (no re-read); another
    /// algorithm is computed once from the committed content (see <see cref="CompleteWithOtherAlgorithmAsync"/>). A
    /// digest mismatch leaves the session as it was before this request, so the client can retry or go on.
    /// </summary>
    public async Task<BlobInfo> CompleteAsync(string repository, string uploadId, string? owner, Digest digest, Stream body, ChunkRange? range, long? contentLength, CancellationToken ct)
    {
        var session = await LoadAsync(repository, uploadId, owner, ct).ConfigureAwait(false);
        var (written, nonce, hash) = await WriteChunkAsync(session, body, range, contentLength, ct).ConfigureAwait(false);
        Digest actual;
        using (hash)
        {
            actual = hash.Finish();
        }

        var size = session.Offset + written.Bytes;
        var blockIds = session.BlockIds(nonce, written.Blocks);
        if (digest.Algorithm != session.Algorithm)
        {
            return await CompleteWithOtherAlgorithmAsync(session, digest, blockIds, size, written.Bytes == 0, ct).ConfigureAwait(false);
        }

        // Checked before the claim: a wrong digest or a refused charge changes nothing, and this request's blocks are never committed.
        if (actual.Value != digest.Value)
        {
            FailMismatch(digest, actual);
        }

        await _guard.ChargeAsync(repository, digest.Value, size, ct).ConfigureAwait(false);
        await ClaimAsync(session, ct).ConfigureAwait(false);
        BlobInfo blob;
        try
        {
            // Not the request's token from here on: the session is claimed, and a client that hangs up now must not
            // lose its upload. The storage client's own timeouts bound these calls.
            blob = await blobs.CommitUploadAsync(repository, session.BlobName, blockIds, digest.Value, size, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            if (!await NamesBlobAsync(digest, session.BlobName).ConfigureAwait(false))
            {
                await TryRestoreAsync(session).ConfigureAwait(false);
            }

            throw;
        }

        await ReleaseAsync(session).ConfigureAwait(false);
        return blob;
    }

    /// <summary>
    /// Whether the blob index already names <paramref name="blobName"/> for <paramref name="digest"/>: then a commit
    /// that failed afterwards must not write the session back, or a later PATCH could change indexed content. Counts a
    /// failed read as named, so in doubt the session stays claimed.
    /// </summary>
    private async Task<bool> NamesBlobAsync(Digest digest, string blobName)
    {
        try
        {
            var row = await storage.Metadata.GetAsync(storage.Layout.BlobIndexTable, digest.Value, "", CancellationToken.None).ConfigureAwait(false);
            return row is not null && BlobIndexRow.FromRow(row).Blob == blobName;
        }
        catch (StorageException)
        {
            return true;
        }
    }

    /// <summary>
    /// Forgets a completed session in the owner's open-upload index, best effort: the content is committed already,
    /// and a row left behind only overcounts until upload expiry or the next refusal's check removes it.
    /// </summary>
    private async Task ReleaseAsync(UploadSession session)
    {
        try
        {
            await _quota.ReleaseAsync(session.Owner, session.Id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // See above: a stale index row is harmless.
        }
    }

    /// <summary>
    /// A session that hashed one algorithm, finished with a digest of another (a client that sent no
    /// digest-algorithm). The session is claimed and its blocks committed in place, then the committed blob is read
    /// back once through the digest's hash. On a mismatch the session row is written back as it was, remembering the
    /// computed digest when this request added no content (<paramref name="sameContent"/>), so the client can retry
    /// and a wrong retry costs no second read; its staged and committed blocks stay readable by the next commit. A
    /// crash in between leaves at worst an unindexed data blob, which garbage collection removes.
    /// </summary>
    private async Task<BlobInfo> CompleteWithOtherAlgorithmAsync(UploadSession session, Digest digest, List<string> blockIds, long size, bool sameContent, CancellationToken ct)
    {
        if (sameContent && session.OtherDigest is { } known && Digest.TryParse(known, out var remembered) == DigestParseResult.Ok
            && remembered.Algorithm == digest.Algorithm && remembered.Value != digest.Value)
        {
            FailMismatch(digest, remembered);
        }

        await ClaimAsync(session, ct).ConfigureAwait(false);
        // Claimed: finish whatever the client does (see CompleteAsync).
        Digest actual;
        try
        {
            await storage.Blobs.CommitBlocksAsync(session.BlobName, blockIds, BlobService.ContentType, CancellationToken.None).ConfigureAwait(false);
            actual = await ContentHash.OfStoredAsync(storage.Blobs, session.BlobName, size, digest.Algorithm, options.BlockSize, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            await TryRestoreAsync(session).ConfigureAwait(false);
            throw;
        }

        if (actual.Value != digest.Value)
        {
            await TryRestoreAsync(sameContent ? session.WithOtherDigest(actual) : session).ConfigureAwait(false);
            FailMismatch(digest, actual);
        }

        try
        {
            await _guard.ChargeAsync(session.Repository, digest.Value, size, CancellationToken.None).ConfigureAwait(false);
        }
        catch
        {
            // Refused or failed: the session goes back as it was (its committed blocks stay readable by the next commit).
            await TryRestoreAsync(session).ConfigureAwait(false);
            throw;
        }

        BlobInfo blob;
        try
        {
            blob = await blobs.CommitUploadAsync(session.Repository, session.BlobName, blockIds, digest.Value, size, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            if (!await NamesBlobAsync(digest, session.BlobName).ConfigureAwait(false))
            {
                await TryRestoreAsync(session).ConfigureAwait(false);
            }

            throw;
        }

        if (blob.BlobName != session.BlobName)
        {
            // The registry held this content already: our committed copy is unreferenced (garbage collection removes
            // it if this delete fails).
            await storage.Blobs.DeleteAsync(session.BlobName, CancellationToken.None).ConfigureAwait(false);
        }

        await ReleaseAsync(session).ConfigureAwait(false);
        return blob;
    }

    /// <summary>
    /// Claims the session for completion by deleting its row on the ETag read: only the request whose ETag still
    /// matches may commit into the session's blob, so a racing PATCH or PUT can never change content that the index
    /// already names. The owner's open-upload index forgets it only once the commit is done (<see cref="ReleaseAsync"/>).
    /// </summary>
    private async Task ClaimAsync(UploadSession session, CancellationToken ct)
    {
        if (!await DeleteSessionAsync(session.Id, session.ETag!, ct).ConfigureAwait(false))
        {
            Fail.With(ErrorKind.RangeInvalid, "the upload was changed by another request");
        }
    }

    /// <summary>
    /// Writes a claimed session back, and re-enters it in the owner's index. Runs after a failure, often against the
    /// storage that just failed: a failure here is swallowed so the caller's own error is the one reported, and the
    /// session is then lost (the client starts a new upload).
    /// </summary>
    private async Task TryRestoreAsync(UploadSession session)
    {
        try
        {
            // Not the request's token: a client that hung up must not lose its session half way.
            await _quota.ReserveAsync(session.Owner, session.Id, CancellationToken.None, enforce: false).ConfigureAwait(false);
            await storage.Metadata.ExecuteAsync(storage.Layout.UploadsTable, RowOperation.Insert(session.ToRow(time.GetUtcNow())), CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // See above.
        }
    }

    private static void FailMismatch(Digest expected, Digest actual) =>
        Fail.With(ErrorKind.DigestInvalid, "the uploaded content does not match the digest", ("expected", expected.Value), ("actual", actual.Value));
}
