using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>Retention as the first step of every garbage-collection run (the daily timer), so the run reclaims what it frees.</summary>
/// <remarks>
/// Honours the run's dry run and grace period. With no retention rule it reads nothing but the (cached) rules. A failed
/// retention (storage trouble, an unreadable rule row) is logged and reported in the summary line, and the collection
/// still runs: retention only frees more, and the collection must not wait for a broken rule to be fixed. Cancellation
/// propagates. Deletes already made stay made; the next run picks up the rest.
/// </remarks>
internal sealed partial class RetentionStep(RetentionRunner runner, ILogger<RetentionStep> logger) : IGarbageCollectionStep
{
    public async Task<string> RunAsync(MaintenanceOptions options, IProgress<GcProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            var report = await runner.RunAsync(options.DryRun, options.GracePeriod, null, false, progress, cancellationToken).ConfigureAwait(false);
            return "retention: " + report.Summary();
        }
        catch (Exception e) when (e is StorageException or FormatException or RegistryException)
        {
            Failed(logger, e);
            return "retention: failed: " + e.Message.Split('\n')[0].Trim();
        }
    }

    [LoggerMessage(721, LogLevel.Warning, "Retention failed; the garbage collection runs without it")]
    private static partial void Failed(ILogger logger, Exception exception);
}
