using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>
/// A feature's own pruning, run at the start of every garbage-collection run (the mirror's eviction of content nobody
/// pulls). A step removes rows through the core's services; the collection that follows reclaims whatever content no
/// longer has a reference, with the usual grace period, so a step never deletes content itself.
/// </summary>
/// <remarks>Implementations honour <see cref="MaintenanceOptions.DryRun"/>, are idempotent, and may run beside pushes and pulls.</remarks>
internal interface IGarbageCollectionStep
{
    /// <summary>Runs the step and returns one line for the run's summary.</summary>
    Task<string> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken);
}
