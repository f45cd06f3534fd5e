using System.Collections.Concurrent;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Maintenance;

/// <summary>
/// Online mark-and-sweep over every repository, the global blob index and the container. The registry keeps
/// serving while it runs; the protocol that makes that safe is written down in the remarks of
/// <see cref="StorageLayout"/>.
/// </summary>
/// <remarks>
/// <para>Phases: (1) upload expiry, then list the container (orphan candidates); (2) per repository partition: mark, then delete unreachable manifest rows (with
/// their referrer rows), then unreferenced links, in batches conditional on the ETags read; (3) delete index rows
/// that no surviving row references and no push touched within the grace period (conditional), then their blobs;
/// (4) delete the listed candidates that no row names. After phase 2 every catalog row whose statistics differ from
/// what the repository now holds is rewritten (see GarbageCollector.Stats.cs), which also fills rows that have none;
/// kept manifests pushed before listing summaries existed get theirs (GarbageCollector.Summaries.cs).</para>
/// <para>Idempotent: a second run right after the first finds nothing to do. Every age is measured against the
/// run's start time, which is never later than any read, so a push the run cannot see is always too young to
/// sweep. A conditional delete that fails (a push touched the row meanwhile) keeps the row and everything it
/// protects. Two runs at once are safe but wasteful.</para>
/// </remarks>
internal sealed partial class GarbageCollector(RegistryStorage storage, UploadExpiry uploads, TimeProvider time, RepositoryStats? stats = null, IWriteGuard? guard = null)
{
    private const int BatchLimit = 100;
    private readonly ManifestSummaries _summaries = new(storage);
    private readonly IWriteGuard _guard = guard ?? IWriteGuard.None;

    public async Task<GcReport> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken ct)
    {
        options.Validate();
        var started = time.GetTimestamp();
        var run = new Run(options, time.GetUtcNow(), progress);
        var expiry = await uploads.RunAsync(options, progress, ct).ConfigureAwait(false);
        var candidates = await ListOrphanCandidatesAsync(run, expiry.Sessions, ct).ConfigureAwait(false);
        var catalog = await ReadCatalogAsync(run, ct).ConfigureAwait(false);
        await MarkRepositoriesAsync(run, ct).ConfigureAwait(false);
        await WriteStatsAsync(run, catalog, ct).ConfigureAwait(false);
        await SweepIndexAsync(run, ct).ConfigureAwait(false);
        await SweepOrphansAsync(run, candidates, ct).ConfigureAwait(false);
        var waiting = run.Waiting.Where(w => !run.Held.ContainsKey(w.Key)).ToList();
        return new GcReport(options.DryRun, run.BlobsScanned, run.BlobsDeleted, run.BytesReclaimed + expiry.BytesReclaimed,
            expiry.Expired, run.ManifestsDeleted, run.LinksDeleted, run.IndexRowsDeleted, run.Conflicts, time.GetElapsedTime(started))
        {
            BlobsWaiting = waiting.Count,
            SummariesFilled = run.SummariesFilled,
            BytesWaiting = waiting.Sum(w => w.Value.Size),
            CollectableFrom = waiting.Count == 0 ? null : waiting.Min(w => w.Value.From),
        };
    }

    /// <summary>Streams the repositories table (ordered by partition) and handles one partition at a time.</summary>
    private async Task MarkRepositoriesAsync(Run run, CancellationToken ct)
    {
        var table = storage.Layout.RepositoriesTable;
        var partition = new List<TableRow>();
        var query = new RowQuery { Top = 1000 };
        long repositories = 0;
        do
        {
            var page = await storage.Metadata.QueryAsync(table, query, ct).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                if (partition.Count > 0 && partition[0].PartitionKey != row.PartitionKey)
                {
                    await CollectPartitionAsync(run, partition, ct).ConfigureAwait(false);
                    run.Report("repositories marked", ++repositories);
                    partition = [];
                }

                partition.Add(row);
            }

            query = query with { Continuation = page.Continuation };
        }
        while (query.Continuation is not null);

        if (partition.Count > 0)
        {
            await CollectPartitionAsync(run, partition, ct).ConfigureAwait(false);
            run.Report("repositories marked", ++repositories);
        }
    }

    private async Task CollectPartitionAsync(Run run, List<TableRow> rows, CancellationToken ct)
    {
        // Locked manifests stay even when no tag reaches them (a lock outranks --delete-untagged).
        var locked = await _guard.KeptManifestsAsync(StorageLayout.RepositoryFromKey(rows[0].PartitionKey), ct).ConfigureAwait(false);
        var plan = await RepositoryPlan.MarkAsync(rows, run.Now, run.Options, (row, token) => ReadRefsAsync(run, row, token), ct, locked).ConfigureAwait(false);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        var groups = plan.Manifests.Select(m => m.Referrer is null
            ? new[] { Delete(m.Manifest) }
            : [Delete(m.Manifest), Delete(m.Referrer)]).ToList();
        foreach (var deleted in await DeleteGroupsAsync(run, groups, ct).ConfigureAwait(false))
        {
            gone.UnionWith(deleted);
        }

        Interlocked.Add(ref run.ManifestsDeleted, plan.Manifests.Count(m => gone.Contains(m.Manifest.RowKey)));

        // A manifest that survived a conflict (re-pushed meanwhile) still needs its links: leave them all this run.
        if (plan.Manifests.All(m => gone.Contains(m.Manifest.RowKey)))
        {
            var links = plan.Links.Select(l => new[] { Delete(l) }).ToList();
            var deleted = await DeleteGroupsAsync(run, links, ct).ConfigureAwait(false);
            var linkKeys = deleted.SelectMany(d => d).ToList();
            gone.UnionWith(linkKeys);
            Interlocked.Add(ref run.LinksDeleted, linkKeys.Count);
        }

        await BackfillSummariesAsync(run, rows, gone, ct).ConfigureAwait(false);

        // Statistics of what survives this run's deletes, written to the catalog after the mark (GarbageCollector.Stats.cs).
        run.Stats[rows[0].PartitionKey] = RepositoryStats.Compute(rows.Where(r => !gone.Contains(r.RowKey)));

        // Whatever survives is a reference the index and orphan sweeps must honour.
        var waiting = plan.Waiting.ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var row in rows.Where(r => !gone.Contains(r.RowKey)))
        {
            var key = row.RowKey;
            var digest = key.StartsWith(StorageLayout.BlobLinkPrefix, StringComparison.Ordinal) ? key[StorageLayout.BlobLinkPrefix.Length..]
                : key.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal) ? key[StorageLayout.ManifestPrefix.Length..]
                : key.StartsWith(StorageLayout.TagPrefix, StringComparison.Ordinal) ? TagRow.FromRow(row).Digest
                : null;
            var named = key.StartsWith(StorageLayout.BlobLinkPrefix, StringComparison.Ordinal) ? BlobLinkRow.FromRow(row).Blob : ManifestBody.FromRow(row).Blob;
            if (digest is not null && named is { } blob)
            {
                run.ReferencedDigests.TryAdd(digest, 0);
                run.ReferencedNames.TryAdd(blob, 0);
                if (waiting.Contains(row))
                {
                    var link = BlobLinkRow.FromRow(row);
                    run.Wait(digest, link.Size, (link.LinkedAt ?? run.Now) + run.Options.GracePeriod);
                }
                else
                {
                    run.Held.TryAdd(digest, 0);
                }
            }
        }
    }

    /// <summary>
    /// Deletes groups of rows of one partition, each group atomically, packing groups into batches of at most 100.
    /// A batch that fails is retried group by group, so one conflict keeps only its own group. Returns the row keys
    /// of the groups deleted (in a dry run: the groups that would be).
    /// </summary>
    private async Task<List<string[]>> DeleteGroupsAsync(Run run, List<RowOperation[]> groups, CancellationToken ct)
    {
        var done = new List<string[]>();
        if (run.Options.DryRun)
        {
            done.AddRange(groups.Select(g => g.Select(o => o.Row.RowKey).ToArray()));
            return done;
        }

        var table = storage.Layout.RepositoriesTable;
        var batch = new List<RowOperation[]>();
        foreach (var group in groups.Append(null))
        {
            if (group is not null && batch.Sum(g => g.Length) + group.Length <= BatchLimit)
            {
                batch.Add(group);
                continue;
            }

            try
            {
                await storage.Metadata.ExecuteBatchAsync(table, batch.SelectMany(g => g).ToList(), ct).ConfigureAwait(false);
                done.AddRange(batch.Select(g => g.Select(o => o.Row.RowKey).ToArray()));
            }
            catch (ConcurrencyException)
            {
                foreach (var single in batch)
                {
                    try
                    {
                        await storage.Metadata.ExecuteBatchAsync(table, single, ct).ConfigureAwait(false);
                        done.Add(single.Select(o => o.Row.RowKey).ToArray());
                    }
                    catch (ConcurrencyException)
                    {
                        Interlocked.Increment(ref run.Conflicts);
                    }
                }
            }

            batch = group is null ? [] : [group];
        }

        return done;
    }

    /// <summary>A kept manifest's references: parsed from the row, or from its blob (read once per digest per run).</summary>
    private async Task<ManifestRefs?> ReadRefsAsync(Run run, TableRow row, CancellationToken ct)
    {
        var body = ManifestBody.FromRow(row);
        if (body.Content is { } inline)
        {
            return ManifestRefs.Parse(inline, body.MediaType);
        }

        var digest = row.RowKey[StorageLayout.ManifestPrefix.Length..];
        if (run.BlobManifests.TryGetValue(digest, out var cached))
        {
            return cached;
        }

        var bytes = await storage.Blobs.ReadAllAsync(body.Blob ?? "", ct).ConfigureAwait(false);
        // Missing content protects nothing; unreadable content protects everything (null).
        var refs = bytes is null ? new ManifestRefs([], []) : ManifestRefs.Parse(bytes, body.MediaType);
        run.BlobManifests[digest] = refs;
        return refs;
    }

    private static RowOperation Delete(TableRow row) => RowOperation.Delete(row.PartitionKey, row.RowKey, row.ETag ?? "*");

    /// <summary>State of one run. Counters are fields so sweeps can update them with Interlocked.</summary>
    private sealed class Run(MaintenanceOptions options, DateTimeOffset now, IProgress<GcProgress>? progress)
    {
        public MaintenanceOptions Options { get; } = options;
        public DateTimeOffset Now { get; } = now;
        public ConcurrentDictionary<string, byte> ReferencedDigests { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, byte> ReferencedNames { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, byte> IndexedNames { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<string, byte> SweptNames { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, ManifestRefs?> BlobManifests { get; } = new(StringComparer.Ordinal);

        /// <summary>Per repository partition: its statistics once this run's deletes are done.</summary>
        public ConcurrentDictionary<string, CatalogStats> Stats { get; } = new(StringComparer.Ordinal);
        public long BlobsScanned, BlobsDeleted, BytesReclaimed, ManifestsDeleted, LinksDeleted, IndexRowsDeleted, Conflicts, SummariesFilled;

        /// <summary>Digests a kept manifest, tag or young manifest holds: not garbage at all.</summary>
        public ConcurrentDictionary<string, byte> Held { get; } = new(StringComparer.Ordinal);

        /// <summary>Unreferenced digests kept only by the grace period, with their size and when it ends (the latest mark governs).</summary>
        public ConcurrentDictionary<string, (long Size, DateTimeOffset From)> Waiting { get; } = new(StringComparer.Ordinal);

        public void Wait(string digest, long size, DateTimeOffset from) =>
            Waiting.AddOrUpdate(digest, (size, from), (_, old) => (Math.Max(old.Size, size), old.From > from ? old.From : from));

        public void Report(string phase, long done) => progress?.Report(new GcProgress(phase, done));
    }
}
