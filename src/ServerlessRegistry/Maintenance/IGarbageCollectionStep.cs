using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>
/// A feature's own pruning, run at the start of every garbage-collection run (the mirror's eviction of content nobody
/// pulls, retention). A step removes rows through the core's services; the collection that follows reclaims whatever
/// content no longer has a reference, with the usual grace period, so a step never deletes content itself. A step may
/// also run after the collection (quota reconciliation, which counts what the collection left).
/// </summary>
/// <remarks>Implementations honour <see cref="MaintenanceOptions.DryRun"/>, are idempotent, and may run beside pushes and pulls.</remarks>
internal interface IGarbageCollectionStep
{
    /// <summary>Runs the step before the collection and returns one line for the run's summary ("" for none).</summary>
    Task<string> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Runs after the collection; returns one line for the run's summary, or null when the step has nothing to do then.</summary>
    Task<string?> AfterCollectionAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken) =>
        Task.FromResult<string?>(null);
}
