using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Maintenance;

internal sealed partial class GarbageCollector
{
    /// <summary>
    /// Deletes index rows that no surviving row references and no push touched within the grace period, each on the
    /// ETag read, then the blob the row named. Index rows are one partition each, so these deletes cannot batch.
    /// </summary>
    private async Task SweepIndexAsync(Run run, CancellationToken ct)
    {
        var cutoff = run.Now - run.Options.GracePeriod;
        var doomed = new List<TableRow>();
        var query = new RowQuery { Top = 1000 };
        long seen = 0;
        do
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.BlobIndexTable, query, ct).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                var indexed = BlobIndexRow.FromRow(row);
                var name = indexed.Blob ?? "";
                var touched = Max(indexed.CreatedAt, indexed.TouchedAt);
                var unreferenced = row.RowKey.Length == 0 && !run.ReferencedDigests.ContainsKey(row.PartitionKey);
                if (unreferenced && touched <= cutoff)
                {
                    doomed.Add(row);
                    continue;
                }

                run.IndexedNames.TryAdd(name, 0);
                if (unreferenced)
                {
                    // Garbage, but too young: say when a run may take it, or "deleted 0" reads as a fault.
                    run.Wait(row.PartitionKey, indexed.Size, touched + run.Options.GracePeriod);
                }
            }

            seen += page.Rows.Count;
            run.Report("blob index rows read", seen);
            query = query with { Continuation = page.Continuation };
        }
        while (query.Continuation is not null);

        await ForEachAsync(run, doomed, async (row, token) =>
        {
            var indexed = BlobIndexRow.FromRow(row);
            var name = indexed.Blob ?? "";
            if (!run.Options.DryRun)
            {
                try
                {
                    await storage.Metadata.ExecuteAsync(storage.Layout.BlobIndexTable, RowOperation.Delete(row.PartitionKey, "", row.ETag ?? "*"), token).ConfigureAwait(false);
                }
                catch (ConcurrencyException)
                {
                    // A push touched the row after we read it: the content is in use again.
                    run.IndexedNames.TryAdd(name, 0);
                    Interlocked.Increment(ref run.Conflicts);
                    return;
                }

                await storage.Blobs.DeleteAsync(name, token).ConfigureAwait(false);
            }

            run.SweptNames.TryAdd(name, 0);
            Interlocked.Increment(ref run.IndexRowsDeleted);
            Interlocked.Increment(ref run.BlobsDeleted);
            Interlocked.Add(ref run.BytesReclaimed, indexed.Size);
        }, "unreferenced blobs deleted", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Lists the container before the mark: only blobs that existed then can be orphans of this run, so content a
    /// push writes while the run is going is never even considered. Keeps the old-enough blobs that no known upload
    /// session owns (sessions' blocks are expiry's business). Committed blobs must be older than the grace period
    /// (a commit is followed by its index row within one request); staged-only blobs older than the upload age,
    /// because a session may commit its blocks until it expires.
    /// </summary>
    private async Task<List<StoredBlob>> ListOrphanCandidatesAsync(Run run, IReadOnlySet<string> sessions, CancellationToken ct)
    {
        var committedCutoff = run.Now - run.Options.GracePeriod;
        var stagedCutoff = run.Now - run.Options.UploadMaxAge;
        var candidates = new List<StoredBlob>();
        long seen = 0;
        foreach (var prefix in new[] { StorageLayout.DataPrefix, StorageLayout.ManifestBlobPrefix })
        {
            await foreach (var blob in storage.Blobs.ListAsync(prefix, ct).ConfigureAwait(false))
            {
                if (++seen % 1000 == 0)
                {
                    run.Report("blobs listed", seen);
                }

                var session = blob.Name.StartsWith(StorageLayout.DataPrefix, StringComparison.Ordinal) && sessions.Contains(blob.Name[StorageLayout.DataPrefix.Length..]);
                if (!session && blob.LastModified <= (blob.Committed ? committedCutoff : stagedCutoff))
                {
                    candidates.Add(blob);
                }
            }
        }

        run.BlobsScanned = seen;
        return candidates;
    }

    /// <summary>
    /// Deletes the candidates that no surviving index row and no repository row names: leftovers of dedup hits,
    /// cancelled or failed uploads, and crashes. Blobs the index sweep deleted are already counted.
    /// </summary>
    private async Task SweepOrphansAsync(Run run, List<StoredBlob> candidates, CancellationToken ct)
    {
        var doomed = candidates.Where(b => !run.IndexedNames.ContainsKey(b.Name) && !run.ReferencedNames.ContainsKey(b.Name) && !run.SweptNames.ContainsKey(b.Name)).ToList();
        await ForEachAsync(run, doomed, async (blob, token) =>
        {
            if (run.Options.DryRun || await storage.Blobs.DeleteAsync(blob.Name, token).ConfigureAwait(false))
            {
                Interlocked.Increment(ref run.BlobsDeleted);
                Interlocked.Add(ref run.BytesReclaimed, blob.Length);
            }
        }, "orphan blobs deleted", ct).ConfigureAwait(false);
    }

    private static async Task ForEachAsync<T>(Run run, List<T> items, Func<T, CancellationToken, ValueTask> body, string phase, CancellationToken ct)
    {
        long done = 0;
        await Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = run.Options.Parallelism, CancellationToken = ct }, async (item, token) =>
        {
            await body(item, token).ConfigureAwait(false);
            var count = Interlocked.Increment(ref done);
            if (count % 500 == 0 || count == items.Count)
            {
                run.Report(phase, count);
            }
        }).ConfigureAwait(false);
    }

    private static DateTimeOffset Max(DateTimeOffset? a, DateTimeOffset? b) =>
        (a ?? DateTimeOffset.MinValue) > (b ?? DateTimeOffset.MinValue) ? a!.Value : b ?? DateTimeOffset.MinValue;
}
