using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Policies.Quotas;

/// <summary>
/// Quota reconciliation after every garbage-collection run, so counters drop by what the run reclaimed and any drift
/// (double charges, failed pushes, deletes) is corrected daily. Honours the run's dry run; idempotent. A failure here
/// (other than cancellation) is logged and reported in the run's summary rather than failing the collection it follows.
/// </summary>
internal sealed partial class QuotaReconcileStep(PolicyCache cache, QuotaLedger ledger, ILogger<QuotaReconcileStep> logger) : IGarbageCollectionStep
{
    public Task<string> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken) =>
        Task.FromResult(""); // nothing before the collection: counting first would count what it is about to reclaim

    public async Task<string?> AfterCollectionAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken)
    {
        IReadOnlyList<QuotaDrift> drifts;
        try
        {
            var rules = (await cache.CurrentAsync(cancellationToken).ConfigureAwait(false)).Quotas;
            if (rules.Count == 0)
            {
                return null;
            }

            drifts = await ledger.ReconcileAsync(rules, options.DryRun, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The collection is done and stands; counters stay as they are (they err upwards) until the next run.
            var line = e.Message.Split('\n')[0].Trim();
            ReconcileFailed(logger, e, line);
            return $"quotas: reconciliation failed: {line}";
        }

        foreach (var d in drifts)
        {
            Reconciled(logger, d.Rule.Name, options.DryRun, d.CountedBytes, d.ActualBytes, d.Drift);
        }

        return $"quotas: {(options.DryRun ? "would correct" : "corrected")} " +
            string.Join("; ", drifts.Select(d => $"'{d.Rule.Name}' drift {Signed(d.Drift)} (counted {QuotaText.Size(d.CountedBytes)}, holds {QuotaText.Size(d.ActualBytes)} of {QuotaText.Size(d.Rule.LimitBytes)})"));
    }

    /// <summary>"+300 MiB", "-1.2 GiB", "0 B": positive drift is an overcount.</summary>
    public static string Signed(long bytes) => bytes switch
    {
        > 0 => "+" + QuotaText.Size(bytes),
        < 0 => "-" + QuotaText.Size(-bytes),
        _ => "0 B",
    };

    [LoggerMessage(741, LogLevel.Warning, "Quota reconciliation after garbage collection failed: {Reason}")]
    private static partial void ReconcileFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(740, LogLevel.Information, "Quota {Quota} reconciled (dry run: {DryRun}): counted {CountedBytes} bytes, holds {ActualBytes} bytes, drift {DriftBytes} bytes")]
    private static partial void Reconciled(ILogger logger, string quota, bool dryRun, long countedBytes, long actualBytes, long driftBytes);
}
