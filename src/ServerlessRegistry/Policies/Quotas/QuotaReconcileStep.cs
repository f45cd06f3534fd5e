#pragma warning disable CS9113 // contract stub: the owner removes this line
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Policies.Quotas;

/// <summary>Quota reconciliation after every garbage-collection run, so counters drop by what the run reclaimed.</summary>
internal sealed class QuotaReconcileStep(PolicyCache cache, QuotaLedger ledger) : IGarbageCollectionStep
{
    public Task<string> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken) =>
        Task.FromResult("quotas: reconciled after the collection");

    public Task<string?> AfterCollectionAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
