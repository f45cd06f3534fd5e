using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Maintenance;

/// <summary>What an expiry run removed and which sessions are still live.</summary>
/// <param name="Sessions">Every session id seen, live or expired: the orphan sweep leaves their blobs to expiry.</param>
internal sealed record UploadExpiryResult(long Expired, long BytesReclaimed, IReadOnlySet<string> Sessions);

/// <summary>
/// Removes upload sessions idle for longer than <see cref="MaintenanceOptions.UploadMaxAge"/> and their staged blocks
/// (the session's data/{id} blob).
/// </summary>
/// <remarks>
/// Idempotent. Safe against a client finishing the same session: the final PUT claims the session by deleting its
/// row on the ETag it read, and expiry deletes the row on the ETag it read, so exactly one of them wins. Expiry
/// deletes the blocks only after winning; a PATCH that lands after that fails with BLOB_UPLOAD_UNKNOWN.
/// </remarks>
internal sealed class UploadExpiry(RegistryStorage storage, TimeProvider time)
{
    public async Task<UploadExpiryResult> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken ct)
    {
        var cutoff = time.GetUtcNow() - options.UploadMaxAge;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stale = new List<TableRow>();
        var ownerRows = new List<TableRow>();
        var query = new RowQuery { Top = 1000 };
        do
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.UploadsTable, query, ct).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                if (row.PartitionKey.StartsWith(StorageLayout.UploadOwnerPrefix, StringComparison.Ordinal))
                {
                    ownerRows.Add(row);
                    continue;
                }

                // UpdatedAt is written by every PATCH; CreatedAt covers rows from before it existed.
                var session = UploadSessionRow.FromRow(row);
                var touched = session.UpdatedAt ?? session.CreatedAt ?? DateTimeOffset.MinValue;
                if (touched < cutoff)
                {
                    stale.Add(row);
                }

                seen.Add(row.PartitionKey);
            }

            query = query with { Continuation = page.Continuation };
        }
        while (query.Continuation is not null);

        long expired = 0, bytes = 0;
        var removed = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, async (row, token) =>
        {
            if (!options.DryRun)
            {
                try
                {
                    await storage.Metadata.ExecuteAsync(storage.Layout.UploadsTable, RowOperation.Delete(row.PartitionKey, "", row.ETag ?? "*"), token).ConfigureAwait(false);
                }
                catch (ConcurrencyException)
                {
                    return; // finished, cancelled or appended to meanwhile: not ours to expire
                }

                removed.Add(row.PartitionKey);

                await storage.Blobs.DeleteAsync(StorageLayout.DataBlob(row.PartitionKey), token).ConfigureAwait(false);
            }

            Interlocked.Add(ref bytes, UploadSessionRow.FromRow(row).Offset);
            if (Interlocked.Increment(ref expired) % 100 == 0)
            {
                progress?.Report(new GcProgress("uploads", Interlocked.Read(ref expired)));
            }
        }).ConfigureAwait(false);

        await RemoveOwnerRowsAsync(ownerRows, seen, removed, cutoff, options, ct).ConfigureAwait(false);
        return new UploadExpiryResult(expired, bytes, seen);
    }

    /// <summary>
    /// Removes open-upload index rows (see <see cref="StorageLayout.UploadOwnerKey"/>) of sessions that expired in this
    /// run, or that are gone and older than an upload may live (a crash between the two writes of a start or an end).
    /// A young index row without a session is a start in progress: it writes the index row first.
    /// </summary>
    private async Task RemoveOwnerRowsAsync(List<TableRow> ownerRows, HashSet<string> seen, IEnumerable<string> removed, DateTimeOffset cutoff, MaintenanceOptions options, CancellationToken ct)
    {
        // Only sessions this run deleted count as gone: one a PATCH kept alive (its delete lost the ETag race) is live.
        var live = seen.Except(removed).ToHashSet(StringComparer.Ordinal);
        var gone = ownerRows.Where(r => !live.Contains(r.RowKey) && (OpenUploadIndexRow.FromRow(r).CreatedAt ?? DateTimeOffset.MinValue) < cutoff).ToList();
        if (options.DryRun)
        {
            return;
        }

        await Parallel.ForEachAsync(gone, new ParallelOptions { MaxDegreeOfParallelism = options.Parallelism, CancellationToken = ct }, async (row, token) =>
        {
            try
            {
                await storage.Metadata.ExecuteAsync(storage.Layout.UploadsTable, RowOperation.Delete(row.PartitionKey, row.RowKey, row.ETag ?? "*"), token).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                // Removed meanwhile by the session's end.
            }
        }).ConfigureAwait(false);
    }
}
