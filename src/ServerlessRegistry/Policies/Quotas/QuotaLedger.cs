#pragma warning disable CS9113 // contract stub: the owner removes this line
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
internal sealed class QuotaLedger(RegistryStorage storage, TimeProvider time)
{
    /// <summary>The counter of <paramref name="rule"/> (zero when never charged or reconciled). One point read.</summary>
    public Task<QuotaUse> ReadAsync(QuotaRule rule, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>
    /// Counts <paramref name="size"/> bytes of <paramref name="digest"/> once against <paramref name="rule"/>, or refuses
    /// with DENIED (naming the quota, its limit and current use) when that would pass the limit. Idempotent per digest.
    /// </summary>
    public Task ChargeAsync(QuotaRule rule, string digest, long size, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>
    /// Recounts each quota from the repositories table (one scan for all of them), corrects the counters without losing
    /// charges made meanwhile, and returns the drift found. With <paramref name="dryRun"/>, writes nothing.
    /// </summary>
    public Task<IReadOnlyList<QuotaDrift>> ReconcileAsync(IReadOnlyList<QuotaRule> rules, bool dryRun, IProgress<Core.Maintenance.GcProgress>? progress, CancellationToken ct) =>
        throw new NotImplementedException();

    /// <summary>Deletes a removed quota's counter and charge rows. Idempotent.</summary>
    public Task ForgetAsync(string name, CancellationToken ct) => throw new NotImplementedException();
}
