using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Blobs as repositories see them: links from a repository to content in the shared, deduplicated store.
/// </summary>
internal sealed class BlobService(RegistryStorage storage, RegistryOptions options, TimeProvider time, IWriteGuard? guard = null)
{
    internal const string ContentType = "application/octet-stream";
    private readonly ContentIndex _index = new(storage, time);
    private readonly IWriteGuard _guard = guard ?? IWriteGuard.None;

    /// <summary>The blob linked in <paramref name="repository"/>, or null. One point read.</summary>
    public async Task<BlobInfo?> FindAsync(string repository, string digest, CancellationToken ct)
    {
        var row = await storage.GetRepositoryRowAsync(repository, StorageLayout.BlobLinkKey(digest), ct).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var link = BlobLinkRow.FromRow(row);
        return new BlobInfo(digest, link.Size, link.Blob ?? "");
    }

    /// <summary>A short-lived read-only URL for a blob linked in the repository; BLOB_UNKNOWN otherwise.</summary>
    public async Task<(BlobInfo Blob, Uri Location)> GetRedirectAsync(string repository, string digest, CancellationToken ct)
    {
        var blob = await FindAsync(repository, digest, ct).ConfigureAwait(false) ?? Fail.With<BlobInfo>(ErrorKind.BlobUnknown, "blob unknown to registry");
        return (blob, await ReadUriAsync(blob, ct).ConfigureAwait(false));
    }

    /// <summary>A short-lived read-only URL for a blob already found; signed locally, no storage call.</summary>
    public ValueTask<Uri> ReadUriAsync(BlobInfo blob, CancellationToken ct) => storage.Blobs.GetReadUriAsync(blob.BlobName, options.RedirectLifetime, ct);

    /// <summary>
    /// Links an existing blob into <paramref name="repository"/> without copying. The global index names the one
    /// physical copy; whether the caller may mount it (pull on the source repository) is decided before this call.
    /// The index row is touched first so a concurrent garbage collection cannot sweep the content under the new
    /// link. Null when the registry does not hold the blob (or a sweep is removing it right now): the client then
    /// uploads. Write policies are asked first (DENIED when the repository is closed, or the content would pass a quota
    /// that has not counted it yet). Idempotent.
    /// </summary>
    public async Task<BlobInfo?> MountAsync(string repository, string digest, CancellationToken ct)
    {
        await _guard.GuardsTagsAsync(repository, deleting: false, ct).ConfigureAwait(false); // refuses in a repository locked against writes
        var source = await _index.TouchAsync(digest, ct).ConfigureAwait(false);
        if (source is null)
        {
            return null;
        }

        await _guard.ChargeAsync(repository, digest, source.Size, ct).ConfigureAwait(false);
        await LinkAsync(repository, source, ct).ConfigureAwait(false);
        return source;
    }

    /// <summary>
    /// Removes the repository's link. The content stays until garbage collection finds it unreferenced. Refused with
    /// UNSUPPORTED (405) while any manifest of the repository, tagged or not, references the blob as config or layer:
    /// deleting it would leave that manifest pointing at a missing blob. BLOB_UNKNOWN when the repository has no link.
    /// </summary>
    public async Task DeleteAsync(string repository, string digest, CancellationToken ct)
    {
        await _guard.GuardsTagsAsync(repository, deleting: true, ct).ConfigureAwait(false); // refuses in a repository locked against deletes
        if (await FindReferrerAsync(repository, digest, ct).ConfigureAwait(false) is { } manifest)
        {
            Fail.With(ErrorKind.Unsupported, $"the blob is referenced by manifest {manifest}; delete the manifest first", ("manifest", manifest));
        }

        try
        {
            await storage.Metadata.ExecuteAsync(
                storage.Layout.RepositoriesTable,
                RowOperation.Delete(StorageLayout.RepositoryKey(repository), StorageLayout.BlobLinkKey(digest)),
                ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            Fail.With(ErrorKind.BlobUnknown, "blob unknown to repository");
        }
    }

    /// <summary>
    /// Finishes an upload whose digest was verified: reuses indexed content when the registry already holds the
    /// digest, else commits the staged blocks in place and indexes them; then links the blob. Write order
    /// (commit → index → link) means a crash leaves at worst unreferenced content. Reusing indexed content touches its
    /// index row first (see <see cref="ContentIndex.TouchAsync"/>); when a sweep removes it meanwhile, our own blocks are used.
    /// </summary>
    internal async Task<BlobInfo> CommitUploadAsync(string repository, string blobName, IReadOnlyList<string> blockIds, string digest, long size, CancellationToken ct)
    {
        var blob = await _index.TouchAsync(digest, ct).ConfigureAwait(false);
        if (blob is null)
        {
            await storage.Blobs.CommitBlocksAsync(blobName, blockIds, ContentType, ct).ConfigureAwait(false);
            return await AdoptAsync(repository, blobName, digest, size, ct).ConfigureAwait(false);
        }

        await LinkAsync(repository, blob, ct).ConfigureAwait(false);
        return blob;
    }

    /// <summary>
    /// Indexes a committed blob whose content was verified to be <paramref name="digest"/> and links it into
    /// <paramref name="repository"/>: the last two steps of every write (commit → index → link). When another writer
    /// indexed the digest first, its copy is linked and <paramref name="blobName"/> is deleted. Idempotent; safe under
    /// concurrent writers of the same digest (exactly one index row wins). Used by uploads and by features that fill
    /// content from elsewhere (the mirror).
    /// </summary>
    internal async Task<BlobInfo> AdoptAsync(string repository, string blobName, string digest, long size, CancellationToken ct)
    {
        BlobInfo? blob;
        var entry = new BlobIndexRow(blobName, size, time.GetUtcNow()).ToRow(digest);
        try
        {
            await storage.Metadata.ExecuteAsync(storage.Layout.BlobIndexTable, RowOperation.Insert(entry), ct).ConfigureAwait(false);
            blob = new BlobInfo(digest, size, blobName);
        }
        catch (ConcurrencyException)
        {
            // Another write of the same content indexed first: use its copy and drop ours.
            blob = await _index.TouchAsync(digest, ct).ConfigureAwait(false);
            if (blob is null)
            {
                throw;
            }

            if (blob.BlobName != blobName)
            {
                await storage.Blobs.DeleteAsync(blobName, ct).ConfigureAwait(false);
            }
        }

        await LinkAsync(repository, blob, ct).ConfigureAwait(false);
        return blob;
    }

    /// <summary>
    /// A manifest of the repository that references <paramref name="digest"/>, or null. Reads the repository's manifest
    /// rows (one range query in its partition) and parses them; manifests stored as blobs cost one read each. Blob
    /// deletes are rare, so this is cheaper overall than keeping a reference count on every link, which every manifest
    /// push and delete would have to update under the links' garbage-collection ETag protocol. Not atomic with the
    /// delete: a manifest pushed between the check and the delete can still end up naming the unlinked blob.
    /// </summary>
    private async Task<string?> FindReferrerAsync(string repository, string digest, CancellationToken ct)
    {
        var rows = await storage.QueryAllAsync(storage.Layout.RepositoriesTable, new RowQuery
        {
            PartitionKey = StorageLayout.RepositoryKey(repository),
            RowKeyFrom = StorageLayout.ManifestPrefix,
            RowKeyTo = StorageLayout.PrefixEnd(StorageLayout.ManifestPrefix),
        }, int.MaxValue, ct).ConfigureAwait(false);
        foreach (var row in rows)
        {
            var body = ManifestBody.FromRow(row);
            var bytes = body.Content ?? await storage.Blobs.ReadAllAsync(body.Blob ?? "", ct).ConfigureAwait(false);
            if (bytes is not null && ManifestRefs.Parse(bytes, body.MediaType)?.Blobs.Contains(digest, StringComparer.Ordinal) == true)
            {
                return row.RowKey[StorageLayout.ManifestPrefix.Length..];
            }
        }

        return null;
    }

    private Task LinkAsync(string repository, BlobInfo blob, CancellationToken ct)
    {
        var link = new BlobLinkRow(blob.BlobName, blob.Size, time.GetUtcNow()).ToRow(repository, blob.Digest);
        return storage.Metadata.ExecuteAsync(storage.Layout.RepositoriesTable, RowOperation.Upsert(link), ct);
    }
}
