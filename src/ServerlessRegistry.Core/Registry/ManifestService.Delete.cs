using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>Deleting tags and manifests, with the checks write policies ask for.</summary>
internal sealed partial class ManifestService
{
    /// <summary>
    /// Deletes a tag, or a manifest by digest together with every tag pointing at it and its referrer row. Tags go
    /// first, so no tag is ever left pointing at a deleted manifest.
    /// </summary>
    public async Task DeleteAsync(string repository, ManifestReference reference, CancellationToken ct)
    {
        var partition = StorageLayout.RepositoryKey(repository);
        var table = storage.Layout.RepositoriesTable;
        if (!reference.IsDigest)
        {
            if (await _guard.GuardsTagsAsync(repository, deleting: true, ct).ConfigureAwait(false))
            {
                await DeleteGuardedTagAsync(repository, reference.Value, ct).ConfigureAwait(false);
                stats?.Changed(repository);
                return;
            }

            try
            {
                await storage.Metadata.ExecuteAsync(table, RowOperation.Delete(partition, StorageLayout.TagKey(reference.Value)), ct).ConfigureAwait(false);
                stats?.Changed(repository);
                return;
            }
            catch (ConcurrencyException)
            {
                Fail.With(ErrorKind.ManifestUnknown, "manifest unknown", ("reference", reference.Value));
            }
        }

        var guarded = await _guard.GuardsTagsAsync(repository, deleting: true, ct).ConfigureAwait(false);
        var manifest = await storage.GetRepositoryRowAsync(repository, StorageLayout.ManifestKey(reference.Value), ct).ConfigureAwait(false)
                       ?? Fail.With<TableRow>(ErrorKind.ManifestUnknown, "manifest unknown", ("reference", reference.Value));
        await _guard.CheckManifestDeleteAsync(repository, reference.Value, ct).ConfigureAwait(false);
        var tagRows = await storage.QueryAllAsync(table, new RowQuery
        {
            PartitionKey = partition,
            RowKeyFrom = StorageLayout.TagPrefix,
            RowKeyTo = StorageLayout.PrefixEnd(StorageLayout.TagPrefix),
            Where = new Dictionary<string, string> { [TagRow.DigestProperty] = reference.Value },
        }, int.MaxValue, ct).ConfigureAwait(false);
        if (guarded)
        {
            _guard.CheckTagChanges(repository, [.. tagRows.Select(t => new TagChange(t.RowKey[StorageLayout.TagPrefix.Length..], reference.Value, null))]);
        }

        foreach (var chunk in tagRows.Chunk(100))
        {
            try
            {
                // Guarded tags go on the ETag checked: one moved meanwhile is not deleted unchecked.
                await storage.Metadata.ExecuteBatchAsync(table, chunk.Select(t => RowOperation.Delete(partition, t.RowKey, guarded ? t.ETag ?? "*" : "*")).ToList(), ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                Fail.With(ErrorKind.ManifestUnknown, "the manifest's tags changed meanwhile; retry", ("reference", reference.Value));
            }
        }

        var last = new List<RowOperation> { RowOperation.Delete(partition, manifest.RowKey, manifest.ETag ?? "*") };
        if (ManifestRow.FromRow(manifest).Subject is { } subject)
        {
            var referrer = await storage.GetRepositoryRowAsync(repository, StorageLayout.ReferrerKey(subject, reference.Value), ct).ConfigureAwait(false);
            if (referrer is not null)
            {
                last.Add(RowOperation.Delete(partition, referrer.RowKey));
            }
        }

        try
        {
            await storage.Metadata.ExecuteBatchAsync(table, last, ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            Fail.With(ErrorKind.ManifestUnknown, "the manifest changed or was deleted meanwhile", ("reference", reference.Value));
        }
        finally
        {
            stats?.Changed(repository); // tags may be gone even when the manifest row was not
        }
    }

    /// <summary>Deletes one guarded tag: read, checked, deleted on the ETag read.</summary>
    private async Task DeleteGuardedTagAsync(string repository, string tag, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await storage.GetRepositoryRowAsync(repository, StorageLayout.TagKey(tag), ct).ConfigureAwait(false)
                      ?? Fail.With<TableRow>(ErrorKind.ManifestUnknown, "manifest unknown", ("reference", tag));
            _guard.CheckTagChanges(repository, [new TagChange(tag, TagRow.FromRow(row).Digest, null)]);
            try
            {
                await storage.Metadata.ExecuteAsync(storage.Layout.RepositoriesTable, RowOperation.Delete(row.PartitionKey, row.RowKey, row.ETag ?? "*"), ct).ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyException) when (attempt < GuardedAttempts)
            {
                // Moved or deleted since it was read: check again.
            }
            catch (ConcurrencyException)
            {
                Fail.With(ErrorKind.Unavailable, "the tag is being changed by other requests; retry", ("reference", tag));
            }
        }
    }
}
