using System.Security.Cryptography;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Blob uploads: sessions, chunks, the final PUT, monolithic POST and cancel. Content is staged as blocks of
/// the blob that will hold it, so completing an upload commits in place and never copies or re-reads. Write policies
/// (<see cref="IWriteGuard"/>) are asked when a session opens and before content is committed, so a refusal leaves the
/// session, the index and the links as they were.
/// </summary>
internal sealed partial class UploadService(RegistryStorage storage, BlobService blobs, RegistryOptions options, TimeProvider time, IWriteGuard? guard = null)
{
    private readonly UploadQuota _quota = new(storage, options, time);
    private readonly IWriteGuard _guard = guard ?? IWriteGuard.None;

    /// <summary>
    /// Opens a session. Not idempotent: each call makes a new one. <paramref name="owner"/> (the caller's identity,
    /// opaque; null when auth is off) is recorded, and every later call on the session must name the same owner: another
    /// caller gets BLOB_UPLOAD_UNKNOWN, as if the session did not exist. An owner holding
    /// <see cref="RegistryOptions.MaxOpenUploadsPerCaller"/> open sessions gets TOOMANYREQUESTS; a repository a write
    /// policy closes (a lock, a quota used up) gets DENIED.
    /// </summary>
    public async Task<UploadStatus> StartAsync(string repository, DigestAlgorithm algorithm, string? owner, CancellationToken ct)
    {
        await _guard.CheckUploadAsync(repository, owner, null, ct).ConfigureAwait(false);
        var session = new UploadSession
        {
            Id = Guid.NewGuid().ToString("N"),
            Repository = repository,
            Algorithm = algorithm,
            CreatedAt = time.GetUtcNow(),
            Owner = owner,
        };
        await _quota.ReserveAsync(owner, session.Id, ct).ConfigureAwait(false);
        await storage.Metadata.ExecuteAsync(storage.Layout.UploadsTable, RowOperation.Insert(session.ToRow(time.GetUtcNow())), ct).ConfigureAwait(false);
        return new UploadStatus(repository, session.Id, 0);
    }

    public async Task<UploadStatus> GetStatusAsync(string repository, string uploadId, string? owner, CancellationToken ct)
    {
        var session = await LoadAsync(repository, uploadId, owner, ct).ConfigureAwait(false);
        return new UploadStatus(repository, session.Id, session.Offset);
    }

    /// <summary>
    /// Appends one chunk (PATCH). With a range the chunk must start at the current offset (else 416) and be
    /// exactly as long as the range says. Concurrent appends to one session: one wins, the others get 416 and
    /// their blocks are never committed.
    /// </summary>
    public async Task<UploadStatus> AppendAsync(string repository, string uploadId, string? owner, Stream body, ChunkRange? range, long? contentLength, CancellationToken ct)
    {
        var session = await LoadAsync(repository, uploadId, owner, ct).ConfigureAwait(false);
        var (written, nonce, hash) = await WriteChunkAsync(session, body, range, contentLength, ct).ConfigureAwait(false);
        using (hash)
        {
            if (written.Bytes == 0)
            {
                return new UploadStatus(repository, session.Id, session.Offset);
            }

            var updated = new UploadSession
            {
                Id = session.Id,
                Repository = session.Repository,
                Algorithm = session.Algorithm,
                CreatedAt = session.CreatedAt,
                Owner = session.Owner,
                Offset = session.Offset + written.Bytes,
                Segments = UploadSession.AppendSegment(session.Segments, nonce, written.Blocks),
                HashState = hash.SaveState(),
            };
            try
            {
                await storage.Metadata.ExecuteAsync(storage.Layout.UploadsTable, RowOperation.Replace(updated.ToRow(time.GetUtcNow()), session.ETag!), ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                Fail.With(ErrorKind.RangeInvalid, "the upload was changed by another request; get its status and resume");
            }

            return new UploadStatus(repository, session.Id, updated.Offset);
        }
    }

    /// <summary>A whole blob in one request (POST with ?digest=). No session row is written.</summary>
    public async Task<BlobInfo> UploadMonolithicAsync(string repository, Digest digest, Stream body, long? contentLength, CancellationToken ct)
    {
        await _guard.CheckUploadAsync(repository, null, contentLength, ct).ConfigureAwait(false);
        var blobName = StorageLayout.DataBlob(Guid.NewGuid().ToString("N"));
        var nonce = NewNonce();
        using var hash = ResumableHash.Create(digest.Algorithm);
        var written = await BlockWriter.WriteAsync(storage.Blobs, blobName, nonce, 0, body, hash, options, contentLength, ct).ConfigureAwait(false);
        CheckLength(written.Bytes, contentLength);
        var actual = hash.Finish();
        if (actual.Value != digest.Value)
        {
            FailMismatch(digest, actual);
        }

        // Refused here, the staged blocks are never committed: Azure discards uncommitted blocks after a week.
        await _guard.ChargeAsync(repository, digest.Value, written.Bytes, ct).ConfigureAwait(false);
        var ids = Enumerable.Range(0, written.Blocks).Select(i => StorageLayout.BlockId(nonce, i)).ToList();
        return await blobs.CommitUploadAsync(repository, blobName, ids, digest.Value, written.Bytes, ct).ConfigureAwait(false);
    }

    /// <summary>Ends a session. Its staged blocks are left for upload expiry to delete.</summary>
    public async Task CancelAsync(string repository, string uploadId, string? owner, CancellationToken ct)
    {
        var session = await LoadAsync(repository, uploadId, owner, ct).ConfigureAwait(false);
        await DeleteSessionAsync(session.Id, "*", ct).ConfigureAwait(false);
        await _quota.ReleaseAsync(session.Owner, session.Id, ct).ConfigureAwait(false);
    }

    private async Task<(BlockWriter.Written Written, uint Nonce, ResumableHash Hash)> WriteChunkAsync(
        UploadSession session, Stream body, ChunkRange? range, long? contentLength, CancellationToken ct)
    {
        if (range is { } r)
        {
            if (r.Start != session.Offset)
            {
                Fail.With(ErrorKind.RangeInvalid, $"the chunk starts at {r.Start} but the upload holds {session.Offset} bytes");
            }

            if (contentLength is { } declared && declared != r.Length)
            {
                Fail.With(ErrorKind.SizeInvalid, "Content-Length does not match Content-Range");
            }

            contentLength ??= r.Length;
        }

        if (session.SegmentCount >= UploadSession.MaxSegments)
        {
            Fail.With(ErrorKind.BlobUploadInvalid, $"an upload takes at most {UploadSession.MaxSegments} chunks; send larger chunks");
        }

        var hash = session.HashState is null ? ResumableHash.Create(session.Algorithm) : RestoreHash(session.HashState);
        try
        {
            var nonce = NewNonce();
            var written = await BlockWriter.WriteAsync(storage.Blobs, session.BlobName, nonce, session.BlockCount, body, hash, options, contentLength, ct).ConfigureAwait(false);
            CheckLength(written.Bytes, contentLength);
            return (written, nonce, hash);
        }
        catch
        {
            hash.Dispose();
            throw;
        }
    }

    private static ResumableHash RestoreHash(byte[] state)
    {
        try
        {
            return ResumableHash.Restore(state);
        }
        catch (FormatException)
        {
            return Fail.With<ResumableHash>(ErrorKind.BlobUploadInvalid, "the upload's saved state is unreadable; start a new upload");
        }
    }

    private static void CheckLength(long bytes, long? contentLength)
    {
        if (contentLength is { } declared && declared != bytes)
        {
            Fail.With(ErrorKind.SizeInvalid, $"received {bytes} bytes but {declared} were declared");
        }
    }

    private async Task<UploadSession> LoadAsync(string repository, string uploadId, string? owner, CancellationToken ct)
    {
        if (uploadId.Length != 32 || !uploadId.All(char.IsAsciiHexDigitLower))
        {
            Fail.With(ErrorKind.BlobUploadUnknown, "upload unknown");
        }

        var row = await storage.Metadata.GetAsync(storage.Layout.UploadsTable, uploadId, "", ct).ConfigureAwait(false);
        var session = row is null ? null : UploadSession.FromRow(row);
        // A session belongs to its repository and its caller; to anyone else it does not exist.
        if (session is null || session.Repository != repository || session.Owner != owner)
        {
            Fail.With(ErrorKind.BlobUploadUnknown, "upload unknown");
        }

        return session;
    }

    /// <summary>Deletes the session row if it still has <paramref name="ifMatch"/>; false when it changed or is gone.</summary>
    private async Task<bool> DeleteSessionAsync(string uploadId, string ifMatch, CancellationToken ct)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(storage.Layout.UploadsTable, RowOperation.Delete(uploadId, "", ifMatch), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyException)
        {
            return false;
        }
    }

    private static uint NewNonce() => BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
}
