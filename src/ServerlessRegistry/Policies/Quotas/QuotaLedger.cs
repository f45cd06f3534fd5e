using System.Collections.Concurrent;
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
/// <para>Thread-safe; any number of instances may charge one quota at once. A charge of new content replaces the counter
/// on the ETag this instance last saw while it inserts the digest's charge row: one round trip, two concurrent requests
/// (not a batch), when no other instance moved the counter meanwhile (else one more read). Content the quota counted
/// already costs the same, then re-dates its charge row and takes back its increment. Quotas cost nothing on pulls.</para>
/// <para><b>Tolerance under concurrency.</b> The counter never passes the limit: every increment is checked against
/// the limit on the value it replaces and written on that value's ETag, so of pushes racing for the last bytes one wins
/// and the others re-read and are refused. Stored bytes can pass the limit only by content the counter missed: (1) a
/// digest pushed by two pushes at once just as the quota fills, when the push that inserted its charge row is then
/// refused while the other, seeing the row, links it (at most that digest's size per such race); (2) a process that
/// dies between inserting a charge row and writing the counter (that digest, once). Both come from the counter's replace
/// and the charge row's insert being two requests rather than one batch, so one can land without the other; (3) content a
/// quota held before it was created, until its first reconciliation (<c>policy set quota</c> runs one at once). The
/// counter errs upwards otherwise, which refuses pushes early but never lets one through: a charge whose push then fails
/// stays counted, a repository under two quotas keeps its charge on the first when the second refuses, and deletes are
/// subtracted only by reconciliation. Every deviation is at most the bytes involved, and the
/// next reconciliation (the daily job after garbage collection, or <c>policy reconcile</c>) removes it.</para>
/// </remarks>
internal sealed partial class QuotaLedger(RegistryStorage storage, TimeProvider time)
{
    /// <summary>Attempts at the counter's conditional replace before the push is told to retry: contention is per quota.</summary>
    private const int MaxAttempts = 20;

    /// <summary>How long a counter value this instance read or wrote may answer <see cref="RecentUseAsync"/>.</summary>
    private static readonly TimeSpan RecentFor = TimeSpan.FromSeconds(10);

    private readonly string _table = PolicyLayout.Table(storage.Layout);

    // The counter per quota as this instance last read or wrote it, with its ETag: a charge writes on that ETag without
    // reading first (a stale one fails the write, which then reads), and an upload start within seconds reads nothing.
    // A refusal is always decided on a fresh read.
    private readonly ConcurrentDictionary<string, Seen> _seen = new(StringComparer.Ordinal);

    /// <summary>The counter of <paramref name="rule"/> (zero when never charged or reconciled). One point read.</summary>
    public async Task<QuotaUse> ReadAsync(QuotaRule rule, CancellationToken ct)
    {
        var total = QuotaTotalRow.FromRow(await ReadTotalAsync(rule.Name, ct).ConfigureAwait(false));
        return new QuotaUse(rule, total.UsedBytes, total.ReconciledAt, total.Drift);
    }

    /// <summary>
    /// The counter of <paramref name="rule"/> as this instance last saw it, when that was within a few seconds (no I/O),
    /// else as read now. It may be behind charges made on other instances: good for letting an upload start, never for
    /// refusing one (read <see cref="ReadAsync"/> first).
    /// </summary>
    public async ValueTask<long> RecentUseAsync(QuotaRule rule, CancellationToken ct) =>
        _seen.TryGetValue(rule.Name, out var seen) && time.GetUtcNow() - seen.At < RecentFor
            ? seen.Total.UsedBytes
            : (await ReadAsync(rule, ct).ConfigureAwait(false)).UsedBytes;

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
            var next = change(QuotaTotalRow.FromRow(row));
            Remember(name, next, await storage.Metadata.ExecuteAsync(_table, WriteTotal(next.ToRow(name), row?.ETag), ct).ConfigureAwait(false));
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
                await BackOffAsync(i, ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                Fail.With(ErrorKind.TooManyRequests, $"quota '{name}' is being updated by many pushes at once; retry");
            }
        }
    }

    /// <summary>
    /// A short, growing, random pause before re-reading a counter another writer moved: the jitter spreads racing
    /// instances so they do not collide again in lockstep. A back-off, not a time anything observes.
    /// </summary>
    private static Task BackOffAsync(int attempt, CancellationToken ct) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 * attempt)), ct);

    /// <summary>Replace on the ETag read, or insert when there was no counter: either fails if another writer came first.</summary>
    private static RowOperation WriteTotal(TableRow next, string? etag) =>
        etag is not null ? RowOperation.Replace(next, etag) : RowOperation.Insert(next);

    private async Task<TableRow?> ReadTotalAsync(string name, CancellationToken ct) =>
        (await ReadSeenAsync(name, ct).ConfigureAwait(false)).Row;

    /// <summary>Reads the counter and notes it; the value returned is this read's, whatever another charge notes meanwhile.</summary>
    private async Task<(Seen Seen, TableRow? Row)> ReadSeenAsync(string name, CancellationToken ct)
    {
        var row = await storage.Metadata.GetAsync(_table, PolicyLayout.QuotaPartition(name), PolicyLayout.QuotaTotalKey, ct).ConfigureAwait(false);
        return (Remember(name, QuotaTotalRow.FromRow(row), row?.ETag), row);
    }

    /// <summary>Notes the counter as read or written; a null ETag means no row yet.</summary>
    private Seen Remember(string name, QuotaTotalRow total, string? etag) => _seen[name] = new Seen(total, etag, time.GetUtcNow());

    private sealed record Seen(QuotaTotalRow Total, string? ETag, DateTimeOffset At);

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
