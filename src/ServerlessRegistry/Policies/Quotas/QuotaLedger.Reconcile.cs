using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Policies.Quotas;

internal sealed partial class QuotaLedger
{
    /// <summary>
    /// A charge this much older than the scan whose digest no repository holds yet still counts, and its row stays: a push
    /// charges at commit and links a moment later, so such a charge is a push in flight, not drift.
    /// </summary>
    private static readonly TimeSpan InFlight = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Recounts each quota from the repositories table (one scan for all of them), corrects the counters without losing
    /// charges made meanwhile, and returns the drift found. With <paramref name="dryRun"/>, writes nothing.
    /// </summary>
    /// <remarks>
    /// <para>What a quota holds is every distinct digest that a repository it covers links or stores as a manifest, at its
    /// size, counted once however many of its repositories hold it (as <c>usage</c> deduplicates), plus charges of pushes
    /// in flight (<see cref="InFlight"/>). Each counter is read before and after the scan and set to that plus what was
    /// charged during the scan, on the ETag of the last read (re-read on a conflict), so no charge is lost; content
    /// pushed during the scan may be counted twice until the next run (an overcount).</para>
    /// <para>Charge rows are made to match: a digest held gets one (insert if absent), a charge row for a digest no
    /// longer held is deleted on the ETag read, once older than the scan minus <see cref="InFlight"/>. Idempotent; two
    /// runs at once converge, since a run never lowers a counter by what another run already corrected.</para>
    /// </remarks>
    public async Task<IReadOnlyList<QuotaDrift>> ReconcileAsync(IReadOnlyList<QuotaRule> rules, bool dryRun, IProgress<GcProgress>? progress, CancellationToken ct)
    {
        if (rules.Count == 0)
        {
            return [];
        }

        var start = time.GetUtcNow();
        var before = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var rule in rules)
        {
            before[rule.Name] = QuotaTotalRow.FromRow(await ReadTotalAsync(rule.Name, ct).ConfigureAwait(false)).UsedBytes;
        }

        var held = await ScanAsync(rules, progress, ct).ConfigureAwait(false);
        var drifts = new List<QuotaDrift>(rules.Count);
        foreach (var rule in rules)
        {
            drifts.Add(await ReconcileOneAsync(rule, before[rule.Name], held[rule.Name], start, dryRun, ct).ConfigureAwait(false));
            progress?.Report(new GcProgress("quotas reconciled", drifts.Count));
        }

        return drifts;
    }

    private async Task<QuotaDrift> ReconcileOneAsync(QuotaRule rule, long before, Dictionary<string, long> held, DateTimeOffset start, bool dryRun, CancellationToken ct)
    {
        var partition = PolicyLayout.QuotaPartition(rule.Name);
        var chargeRange = new RowQuery
        {
            PartitionKey = partition,
            RowKeyFrom = PolicyLayout.QuotaChargePrefix,
            RowKeyTo = PolicyLayout.QuotaChargeKey("\uffff"),
        };
        var charges = (await storage.QueryAllAsync(_table, chargeRange, int.MaxValue, ct).ConfigureAwait(false))
            .Select(r => (Row: r, Digest: r.RowKey[PolicyLayout.QuotaChargePrefix.Length..], Charge: QuotaChargeRow.FromRow(r)))
            .Where(c => !held.ContainsKey(c.Digest))
            .ToList();
        var settled = start - InFlight;
        var inFlight = charges.Where(c => c.Charge.ChargedAt is { } at && at >= settled && at < start).Sum(c => c.Charge.Size);
        var drift = new QuotaDrift(rule, before, held.Values.Sum() + inFlight);
        if (dryRun)
        {
            return drift;
        }

        await UpdateTotalAsync(rule.Name, after =>
            // Charges made since the first read are added back; a negative difference is another run's correction,
            // which this run's own count already includes.
            new QuotaTotalRow(drift.ActualBytes + Math.Max(0, after.UsedBytes - before), time.GetUtcNow(), drift.Drift), ct).ConfigureAwait(false);

        var stale = charges.Where(c => (c.Charge.ChargedAt ?? DateTimeOffset.MinValue) < settled)
            .Select(c => RowOperation.Delete(partition, c.Row.RowKey, c.Row.ETag ?? "*"));
        await WriteTolerantAsync(stale, ct).ConfigureAwait(false);

        var counted = await storage.QueryAllAsync(_table, chargeRange with { Select = [] }, int.MaxValue, ct).ConfigureAwait(false);
        var known = counted.Select(r => r.RowKey[PolicyLayout.QuotaChargePrefix.Length..]).ToHashSet(StringComparer.Ordinal);
        var missing = held.Where(h => !known.Contains(h.Key))
            .Select(h => RowOperation.Insert(new QuotaChargeRow(h.Value, start).ToRow(rule.Name, h.Key)));
        await WriteTolerantAsync(missing, ct).ConfigureAwait(false);
        return drift;
    }

    /// <summary>One pass over the repositories table: per quota, each digest its repositories link or store as a manifest, with its size.</summary>
    private async Task<Dictionary<string, Dictionary<string, long>>> ScanAsync(IReadOnlyList<QuotaRule> rules, IProgress<GcProgress>? progress, CancellationToken ct)
    {
        var held = rules.ToDictionary(r => r.Name, _ => new Dictionary<string, long>(StringComparer.Ordinal), StringComparer.Ordinal);
        var covering = new Dictionary<string, QuotaRule[]>(StringComparer.Ordinal);
        // Link and manifest rows both keep their size in "Size"; selecting it alone leaves inline manifest bytes unread.
        var query = new RowQuery { Top = 1000, Select = ["Size"] };
        long scanned = 0;
        do
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.RepositoriesTable, query, ct).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                var isLink = row.RowKey.StartsWith(StorageLayout.BlobLinkPrefix, StringComparison.Ordinal);
                if (!isLink && !row.RowKey.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal))
                {
                    continue; // tags and referrers are copies; they hold no content of their own
                }

                if (!covering.TryGetValue(row.PartitionKey, out var quotas))
                {
                    var repository = StorageLayout.RepositoryFromKey(row.PartitionKey);
                    covering[row.PartitionKey] = quotas = [.. rules.Where(r => Pattern.Matches(r.Repositories, repository))];
                }

                var size = isLink ? BlobLinkRow.FromRow(row).Size : ManifestBody.FromRow(row).Size;
                foreach (var quota in quotas)
                {
                    held[quota.Name][row.RowKey[2..]] = size;
                }
            }

            scanned += page.Rows.Count;
            progress?.Report(new GcProgress("quota rows scanned", scanned));
            query = query with { Continuation = page.Continuation };
        }
        while (query.Continuation is not null);

        return held;
    }
}
