using System.Runtime.ExceptionServices;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies.Quotas;

internal sealed partial class QuotaLedger
{
    /// <summary>
    /// Counts <paramref name="size"/> bytes of <paramref name="digest"/> once against <paramref name="rule"/>, or refuses
    /// with DENIED (naming the quota, its limit and current use) when that would pass the limit. Reaching the limit
    /// exactly is allowed. Idempotent per digest: the digest's charge row is inserted if absent, and a call that finds it
    /// takes back its own increment, so content is counted once even by pushes racing each other.
    /// </summary>
    /// <remarks>
    /// The counter is replaced on the ETag this instance last saw while the charge row is inserted by a second request
    /// sent with it (not a batch, so one can land without the other; see the class's tolerance notes): one round trip when
    /// nothing else moved the counter. A charge that finds the row present re-dates it, so that a reconciliation which
    /// read it before this push linked the digest does not delete it. A stale ETag fails the replace, which then re-reads; the limit is
    /// checked on every value written, and a refusal is decided on a fresh read. Under contention the replace is retried,
    /// a bounded number of times, then the push is refused with TOOMANYREQUESTS (nothing counted).
    /// </remarks>
    public async Task ChargeAsync(QuotaRule rule, string digest, long size, CancellationToken ct)
    {
        var name = rule.Name;
        var charge = new QuotaChargeRow(size, time.GetUtcNow()).ToRow(name, digest);
        var ours = false; // this call inserted the charge row
        for (var attempt = 1; ; attempt++)
        {
            if (!_seen.TryGetValue(name, out var seen) || seen.Total.UsedBytes + size > rule.LimitBytes)
            {
                // This read's value, not the dictionary's: a concurrent charge may have removed or replaced the entry.
                (seen, _) = await ReadSeenAsync(name, ct).ConfigureAwait(false);
                if (seen.Total.UsedBytes + size > rule.LimitBytes)
                {
                    await RefuseAsync(rule, charge, ours, seen.Total.UsedBytes, size, ct).ConfigureAwait(false);
                    return; // counted already: a mount or a re-push of content the quota holds adds nothing
                }
            }

            var next = seen.Total with { UsedBytes = seen.Total.UsedBytes + size };
            var write = storage.Metadata.ExecuteAsync(_table, WriteTotal(next.ToRow(name), seen.ETag), ct);
            var insert = ours ? null : storage.Metadata.ExecuteAsync(_table, RowOperation.Insert(charge), ct);
            var (etag, failure) = await OutcomeAsync(write).ConfigureAwait(false);
            var counted = false;
            if (insert is not null)
            {
                var (inserted, insertFailure) = await OutcomeAsync(insert).ConfigureAwait(false);
                (ours, counted, failure) = (inserted is not null, insertFailure is ConcurrencyException, failure ?? (insertFailure is ConcurrencyException ? null : insertFailure));
            }

            if (etag is not null)
            {
                Remember(name, next, etag);
            }

            if (failure is not null and not ConcurrencyException)
            {
                if (ours && etag is null)
                {
                    await TryDeleteChargeAsync(charge).ConfigureAwait(false); // nothing counted: do not mark it counted
                }

                ExceptionDispatchInfo.Throw(failure);
            }

            if (etag is not null)
            {
                if (counted && await TouchAsync(charge, ct).ConfigureAwait(false))
                {
                    await TakeBackAsync(name, size, ct).ConfigureAwait(false);
                }
                else if (counted)
                {
                    // Its row went (a reconciliation found the digest unheld): it is not counted now, so this increment stands.
                    await storage.Metadata.ExecuteAsync(_table, RowOperation.Upsert(charge), ct).ConfigureAwait(false);
                }

                return;
            }

            _seen.TryRemove(name, out _);
            if (counted && await TouchAsync(charge, ct).ConfigureAwait(false))
            {
                return; // the counter moved, and the digest was counted by whoever moved it
            }

            if (attempt == MaxAttempts)
            {
                if (ours)
                {
                    await TryDeleteChargeAsync(charge).ConfigureAwait(false);
                }

                Fail.With(ErrorKind.TooManyRequests, $"quota '{name}' is being updated by many pushes at once; retry");
            }

            await BackOffAsync(attempt, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Over the limit on a fresh read: fine when the digest is counted already, else DENIED (removing this call's charge row).</summary>
    private async Task RefuseAsync(QuotaRule rule, TableRow charge, bool ours, long used, long size, CancellationToken ct)
    {
        if (ours)
        {
            await TryDeleteChargeAsync(charge).ConfigureAwait(false);
        }
        else if (await TouchAsync(charge, ct).ConfigureAwait(false))
        {
            return;
        }

        Fail.With(ErrorKind.Denied, QuotaText.Exceeded(rule, used, size), QuotaText.Detail(rule, used, size));
    }

    /// <summary>Undoes this call's increment of a digest that turned out to be counted already. Failing, it stays an overcount.</summary>
    private async Task TakeBackAsync(string name, long size, CancellationToken ct)
    {
        try
        {
            await UpdateTotalAsync(name, t => t with { UsedBytes = Math.Max(0, t.UsedBytes - size) }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is StorageException or RegistryException)
        {
            _seen.TryRemove(name, out _); // counted twice until the next reconciliation
        }
    }

    /// <summary>
    /// Re-dates a charge row this call found present, which changes its ETag: a reconciliation that read the row before
    /// this push linked the digest, and found it unheld, then fails to delete it on that ETag, and keeps it as young.
    /// False when the row is gone. One unconditional replace, only on a charge of content counted already.
    /// </summary>
    private async Task<bool> TouchAsync(TableRow charge, CancellationToken ct)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(_table, RowOperation.Replace(charge, "*"), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyException)
        {
            return false;
        }
    }

    private async Task TryDeleteChargeAsync(TableRow charge)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(_table, RowOperation.Delete(charge.PartitionKey, charge.RowKey), CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException)
        {
            // Left marked counted without its bytes (an undercount of this digest) until the next reconciliation.
        }
    }

    private static async Task<(string? ETag, Exception? Failure)> OutcomeAsync(Task<string> write)
    {
        try
        {
            return (await write.ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is StorageException or OperationCanceledException)
        {
            return (null, e);
        }
    }
}
