using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>Retention as the first step of every garbage-collection run (the daily timer), so the run reclaims what it frees.</summary>
/// <remarks>Honours the run's dry run and grace period. With no retention rule it reads nothing but the (cached) rules.</remarks>
internal sealed class RetentionStep(RetentionRunner runner) : IGarbageCollectionStep
{
    public async Task<string> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken)
    {
        var report = await runner.RunAsync(options.DryRun, options.GracePeriod, null, false, progress, cancellationToken).ConfigureAwait(false);
        return "retention: " + report.Summary();
    }
}
