#pragma warning disable CS9113 // contract stub: the owner removes this line
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>Retention as the first step of every garbage-collection run (the daily timer), so the run reclaims what it frees.</summary>
internal sealed class RetentionStep(RetentionRunner runner) : IGarbageCollectionStep
{
    public Task<string> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken) =>
        throw new NotImplementedException();
}
