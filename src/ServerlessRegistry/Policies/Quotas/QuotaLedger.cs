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
/// <para>Thread-safe; any number of instances may charge one quota at once. A charge is one point read (the counter) and
/// one batch (the counter, replaced on the ETag read, with the digest's charge row inserted if absent): the digest is
/// counted exactly once, whoever races. Quotas cost nothing on pulls.</para>
/// <para><b>Tolerance under concurrency.</b> The counter never passes the limit: every increment is checked against
/// the limit on the value read and written on that value's ETag, so of pushes racing for the last bytes one wins and
/// the others re-read and are refused. Hence stored bytes pass the limit only by what the counter has not seen: content
/// a quota held before it was created (until its first reconciliation). The counter errs upwards, which can refuse a
/// push early, never let one through: a charge whose push then fails stays counted, a repository under two quotas
/// keeps its charge on the first when the second refuses, and deletes are subtracted only by reconciliation. Each such
/// overcount is at most the bytes involved, and the next reconciliation (the daily job after garbage collection, or
/// <c>policy reconcile</c>) removes it.</para>
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
    /// with DENIED (naming the quota, its limit and current use) when that would pass the limit. Reaching the limit
    /// exactly is allowed. Idempotent per digest: the counter and the digest's charge row are written in one batch, so a
    /// digest is counted once even by pushes racing each other. Two calls: the counter's read and the batch. Under
    /// contention the batch is retried on a fresh read; past a bound the push is refused with TOOMANYREQUESTS (nothing
    /// counted).
    /// </summary>
    public Task ChargeAsync(QuotaRule rule, string digest, long size, CancellationToken ct)
    {
        var chargeKey = PolicyLayout.QuotaChargeKey(digest);
        var charge = new QuotaChargeRow(size, time.GetUtcNow()).ToRow(rule.Name, digest);
        return RetryOnConflictAsync(rule.Name, async () =>
        {
            var row = await ReadTotalAsync(rule.Name, ct).ConfigureAwait(false);
            var total = QuotaTotalRow.FromRow(row);
            if (total.UsedBytes + size > rule.LimitBytes)
            {
                if (await ChargedAsync(rule.Name, chargeKey, ct).ConfigureAwait(false))
                {
                    return; // counted already: a mount or a re-push of content the quota holds adds nothing
                }

                Fail.With(ErrorKind.Denied, QuotaText.Exceeded(rule, total.UsedBytes, size), QuotaText.Detail(rule, total.UsedBytes, size));
            }

            var counter = (total with { UsedBytes = total.UsedBytes + size }).ToRow(rule.Name);
            try
            {
                await storage.Metadata.ExecuteBatchAsync(_table, [WriteTotal(counter, row), RowOperation.Insert(charge)], ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException e) when (e.FailedIndex != 0)
            {
                // The charge row exists (index 1): counted already, by an earlier push or one racing this one. A
                // backend that does not say which write failed is asked.
                if (e.FailedIndex != 1 && !await ChargedAsync(rule.Name, chargeKey, ct).ConfigureAwait(false))
                {
                    throw;
                }
            }
        }, ct);
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
    /// absent); on a conflict re-reads and applies the change again.
    /// </summary>
    private Task UpdateTotalAsync(string name, Func<QuotaTotalRow, QuotaTotalRow> change, CancellationToken ct) =>
        RetryOnConflictAsync(name, async () =>
        {
            var row = await ReadTotalAsync(name, ct).ConfigureAwait(false);
            await storage.Metadata.ExecuteAsync(_table, WriteTotal(change(QuotaTotalRow.FromRow(row)).ToRow(name), row), ct).ConfigureAwait(false);
        }, ct);

    /// <summary>
    /// Runs <paramref name="attempt"/> (a read of the counter and a write on its ETag) until no other writer moved the
    /// counter in between, a bounded number of times.
    /// </summary>
    private static async Task RetryOnConflictAsync(string name, Func<Task> attempt, CancellationToken ct)
    {
        for (var i = 1; ; i++)
        {
            try
            {
                await attempt().ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyException) when (i < MaxAttempts)
            {
                // The jitter spreads racing instances so they do not collide again in lockstep; a back-off, not a time
                // anything observes.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 * i)), ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                Fail.With(ErrorKind.TooManyRequests, $"quota '{name}' is being updated by many pushes at once; retry");
            }
        }
    }

    /// <summary>Replace on the ETag read, or insert when there was no counter: either fails if another writer came first.</summary>
    private static RowOperation WriteTotal(TableRow next, TableRow? read) =>
        read?.ETag is { } etag ? RowOperation.Replace(next, etag) : RowOperation.Insert(next);

    private async Task<bool> ChargedAsync(string name, string chargeKey, CancellationToken ct) =>
        await storage.Metadata.GetAsync(_table, PolicyLayout.QuotaPartition(name), chargeKey, ct).ConfigureAwait(false) is not null;

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
