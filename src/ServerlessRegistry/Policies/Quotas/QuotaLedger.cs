using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies.Quotas;

/// <summary>A quota's counter as stored: bytes counted, and what the last reconciliation found.</summary>
internal sealed record QuotaUse(QuotaRule Rule, long UsedBytes, DateTimeOffset? ReconciledAt, long LastDrift);

/// <summary>One quota's reconciliation: the counter before, what the repositories really hold, and the correction.</summary>
internal sealed record QuotaDrift(QuotaRule Rule, long CountedBytes, long ActualBytes)
{
    public long Drift => CountedBytes - ActualBytes;
}

/// <summary>
/// Quota counters (<see cref="PolicyLayout"/>): charged on the push path without any scan, reconciled against the
/// repositories by the daily job.
/// </summary>
/// <remarks>
/// <para>Thread-safe; any number of instances may charge one quota at once. A charge is two point reads (the digest's
/// charge row, the counter) and two writes (the counter, replaced on the ETag read, then the charge row), only for a
/// digest the quota has not counted yet; content already counted costs one point read.</para>
/// <para><b>Tolerance under concurrency.</b> The counter never passes the limit: every increment is checked against
/// the limit on the value read and written on that value's ETag, so of two charges racing for the last bytes one
/// re-reads and is refused. The counter errs only upwards, which refuses pushes early but never lets stored bytes pass
/// the limit: two pushes of the same new digest at the same moment may both charge it (the second charge-row insert
/// finds the first and is ignored), a charge whose push then fails stays counted, and a repository under two quotas
/// keeps a charge on the first when the second refuses. Deletes are not subtracted on the push path. Every such
/// overcount is at most the sizes involved, and the next reconciliation (the daily job, or <c>policy reconcile</c>)
/// removes it. A new quota counts from zero until its first reconciliation.</para>
/// </remarks>
internal sealed partial class QuotaLedger(RegistryStorage storage, TimeProvider time)
{
    /// <summary>Attempts at the counter's conditional replace before the push is told to retry: contention is per quota.</summary>
    private const int MaxAttempts = 20;

    private readonly string _table = PolicyLayout.Table(storage.Layout);

    /// <summary>The counter of <paramref name="rule"/> (zero when never charged or reconciled). One point read.</summary>
    public async Task<QuotaUse> ReadAsync(QuotaRule rule, CancellationToken ct)
    {
        var total = QuotaTotalRow.FromRow(await ReadTotalAsync(rule.Name, ct).ConfigureAwait(false));
        return new QuotaUse(rule, total.UsedBytes, total.ReconciledAt, total.Drift);
    }

    /// <summary>
    /// Counts <paramref name="size"/> bytes of <paramref name="digest"/> once against <paramref name="rule"/>, or refuses
    /// with DENIED (naming the quota, its limit and current use) when that would pass the limit. Idempotent per digest:
    /// a digest the quota has counted costs one point read and nothing else. Reaching the limit exactly is allowed.
    /// Under contention the counter's write is retried on a fresh read; past a bound the push is refused with
    /// TOOMANYREQUESTS (nothing counted).
    /// </summary>
    public async Task ChargeAsync(QuotaRule rule, string digest, long size, CancellationToken ct)
    {
        var partition = PolicyLayout.QuotaPartition(rule.Name);
        if (await storage.Metadata.GetAsync(_table, partition, PolicyLayout.QuotaChargeKey(digest), ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        await UpdateTotalAsync(rule.Name, total =>
        {
            if (total.UsedBytes + size > rule.LimitBytes)
            {
                Fail.With(ErrorKind.Denied, QuotaText.Exceeded(rule, total.UsedBytes, size), QuotaText.Detail(rule, total.UsedBytes, size));
            }

            return total with { UsedBytes = total.UsedBytes + size };
        }, ct).ConfigureAwait(false);

        try
        {
            var charge = new QuotaChargeRow(size, time.GetUtcNow()).ToRow(rule.Name, digest);
            await storage.Metadata.ExecuteAsync(_table, RowOperation.Insert(charge), ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // A concurrent push charged the same digest: counted twice until the next reconciliation (an overcount).
        }
    }

    /// <summary>Deletes a removed quota's counter and charge rows. Idempotent; a charge racing it may leave rows that the next call removes.</summary>
    public async Task ForgetAsync(string name, CancellationToken ct)
    {
        var partition = PolicyLayout.QuotaPartition(name);
        var rows = await storage.QueryAllAsync(_table, new RowQuery { PartitionKey = partition, Select = [] }, int.MaxValue, ct).ConfigureAwait(false);
        await WriteTolerantAsync(rows.Select(r => RowOperation.Delete(partition, r.RowKey)), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces the counter with <paramref name="change"/> of its current value, on the ETag read (inserting it when
    /// absent); on a conflict re-reads and applies the change again. <paramref name="change"/> may throw to refuse.
    /// </summary>
    private async Task UpdateTotalAsync(string name, Func<QuotaTotalRow, QuotaTotalRow> change, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var row = await ReadTotalAsync(name, ct).ConfigureAwait(false);
            var next = change(QuotaTotalRow.FromRow(row)).ToRow(name);
            try
            {
                await storage.Metadata.ExecuteAsync(_table, row?.ETag is { } etag ? RowOperation.Replace(next, etag) : RowOperation.Insert(next), ct)
                    .ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyException) when (attempt < MaxAttempts)
            {
                // Another charge (or a reconciliation) moved the counter: re-read it. The jitter spreads racing
                // instances so they do not collide again in lockstep; a back-off, not a time anything observes.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 * attempt)), ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                Fail.With(ErrorKind.TooManyRequests, $"quota '{name}' is being updated by many pushes at once; retry");
            }
        }
    }

    private Task<TableRow?> ReadTotalAsync(string name, CancellationToken ct) =>
        storage.Metadata.GetAsync(_table, PolicyLayout.QuotaPartition(name), PolicyLayout.QuotaTotalKey, ct);

    /// <summary>
    /// Applies conditional writes to rows of one partition, in batches of 100; when a batch fails, its writes are tried
    /// one by one and each that fails its condition (a row gone, changed or present meanwhile) is skipped.
    /// </summary>
    private async Task WriteTolerantAsync(IEnumerable<RowOperation> operations, CancellationToken ct)
    {
        foreach (var chunk in operations.Chunk(100))
        {
            try
            {
                await storage.Metadata.ExecuteBatchAsync(_table, chunk, ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                foreach (var operation in chunk)
                {
                    try
                    {
                        await storage.Metadata.ExecuteAsync(_table, operation, ct).ConfigureAwait(false);
                    }
                    catch (ConcurrencyException)
                    {
                        // Deleted, charged or recharged by someone else since it was read: their write stands.
                    }
                }
            }
        }
    }
}
