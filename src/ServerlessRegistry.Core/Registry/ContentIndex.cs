using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// The push side of the garbage-collection protocol on the global blob index (see StorageLayout): before a push
/// relies on indexed content it makes sure no sweep can remove that content from under it.
/// </summary>
internal sealed class ContentIndex(RegistryStorage storage, TimeProvider time)
{
    /// <summary>
    /// Stores a manifest too large for its table row and returns the blob that holds it. Large manifests are indexed
    /// like any content (so garbage collection protects and reclaims them the same way): indexed bytes are reused
    /// after a touch; otherwise the bytes go to manifests/{alg}/{hex}, or to a fresh data/ blob when that name is
    /// taken by content without an index row (an orphan that a sweep may be deleting), and are then indexed.
    /// </summary>
    public async Task<string> StoreManifestAsync(Primitives.Digest digest, byte[] bytes, string mediaType, CancellationToken ct)
    {
        if (await TouchAsync(digest.Value, ct).ConfigureAwait(false) is { } indexed)
        {
            return indexed.BlobName;
        }

        var blobName = StorageLayout.ManifestBlob(digest);
        if (!await storage.Blobs.CreateIfAbsentAsync(blobName, bytes, mediaType, ct).ConfigureAwait(false))
        {
            blobName = StorageLayout.DataBlob(Guid.NewGuid().ToString("N"));
            await storage.Blobs.CreateIfAbsentAsync(blobName, bytes, mediaType, ct).ConfigureAwait(false);
        }

        var entry = new BlobIndexRow(blobName, bytes.Length, time.GetUtcNow()).ToRow(digest.Value);
        try
        {
            await storage.Metadata.ExecuteAsync(storage.Layout.BlobIndexTable, RowOperation.Insert(entry), ct).ConfigureAwait(false);
            return blobName;
        }
        catch (ConcurrencyException)
        {
            var winner = await TouchAsync(digest.Value, ct).ConfigureAwait(false) ?? throw new StorageException("the manifest's index row changed repeatedly");
            if (winner.BlobName != blobName && blobName.StartsWith(StorageLayout.DataPrefix, StringComparison.Ordinal))
            {
                await storage.Blobs.DeleteAsync(blobName, ct).ConfigureAwait(false);
            }

            return winner.BlobName;
        }
    }

    /// <summary>
    /// Reads the index row and, when its TouchedAt (or CreatedAt) is older than <see cref="GcProtocol.TouchInterval"/>,
    /// rewrites TouchedAt on the ETag read. Null when the digest is not indexed, or its row disappeared under us (a
    /// sweep won): the caller must then not rely on the old content. This is the push side of the GC protocol: a sweep
    /// deletes an index row only on the ETag it read, so either the touch or the sweep fails, never both succeed.
    /// </summary>
    public async Task<BlobInfo?> TouchAsync(string digest, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var row = await storage.Metadata.GetAsync(storage.Layout.BlobIndexTable, digest, "", ct).ConfigureAwait(false);
            if (row is null)
            {
                return null;
            }

            var indexed = BlobIndexRow.FromRow(row);
            var blob = new BlobInfo(digest, indexed.Size, indexed.Blob ?? "");
            var now = time.GetUtcNow();
            var touched = indexed.TouchedAt ?? indexed.CreatedAt ?? DateTimeOffset.MinValue;
            if (now - touched < GcProtocol.TouchInterval)
            {
                return blob; // too fresh for any sweep that could still miss our link
            }

            BlobIndexRow.Touch(row, now);
            try
            {
                await storage.Metadata.ExecuteAsync(storage.Layout.BlobIndexTable, RowOperation.Replace(row, row.ETag ?? "*"), ct).ConfigureAwait(false);
                return blob;
            }
            catch (ConcurrencyException)
            {
                // Touched by another push (read again: now fresh) or deleted by a sweep (read again: null).
            }
        }

        return null;
    }
}
