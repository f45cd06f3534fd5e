using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>
/// The scheduled maintenance runs, as the Functions timers and the CLI start them. Registered as a singleton by
/// <see cref="MaintenanceSetup.AddMaintenance"/>.
/// </summary>
/// <remarks>
/// Both runs are online and idempotent: they may overlap pushes, pulls and each other (see StorageLayout for the
/// protocol), and a run that is cut short leaves nothing half-done that the next run would not finish.
/// </remarks>
internal sealed partial class MaintenanceJobs(
    GarbageCollector collector, UploadExpiry expiry, IEnumerable<IGarbageCollectionStep> steps, IOptions<MaintenanceOptions> options, ILogger<MaintenanceJobs> logger)
{
    private readonly IGarbageCollectionStep[] _steps = [.. steps];

    /// <summary>One garbage-collection run with the configured options; returns a one-line summary for the invocation log.</summary>
    public async Task<string> CollectGarbageAsync(CancellationToken cancellationToken)
    {
        var report = await RunGarbageCollectionAsync(options.Value, null, cancellationToken).ConfigureAwait(false);
        return "gc: " + report.Summary();
    }

    /// <summary>One upload-expiry run with the configured age; returns a one-line summary for the invocation log.</summary>
    public async Task<string> ExpireUploadsAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value.Validate();
        var result = await expiry.RunAsync(settings, null, cancellationToken).ConfigureAwait(false);
        var summary = $"uploads: {(settings.DryRun ? "would expire" : "expired")} {result.Expired} sessions idle for more than {settings.UploadMaxAge}, {result.BytesReclaimed} bytes reclaimed";
        UploadsExpired(logger, result.Expired, result.BytesReclaimed);
        return summary;
    }

    /// <summary>A garbage-collection run with explicit options (the CLI's flags), logged like the timer's.</summary>
    public async Task<GcReport> RunGarbageCollectionAsync(MaintenanceOptions settings, IProgress<GcProgress>? progress, CancellationToken cancellationToken)
    {
        GcStarted(logger, settings.DryRun, settings.DeleteUntagged, settings.GracePeriod);
        // Feature steps first: what they remove is reclaimed by this same run (after the grace period, like anything else).
        var notes = new List<string>();
        foreach (var step in _steps)
        {
            notes.Add(await step.RunAsync(settings, progress, cancellationToken).ConfigureAwait(false));
        }

        var report = await collector.RunAsync(settings, progress, cancellationToken).ConfigureAwait(false);
        foreach (var step in _steps)
        {
            notes.Add(await step.AfterCollectionAsync(settings, progress, cancellationToken).ConfigureAwait(false) ?? "");
        }

        report = report with { Steps = [.. notes.Where(n => n.Length > 0)] };
        GcFinished(logger, report.DryRun, report.BlobsScanned, report.BlobsDeleted, report.BytesReclaimed, report.SessionsExpired,
            report.ManifestsDeleted, report.LinksDeleted, report.Conflicts, report.Elapsed.TotalMilliseconds);
        return report;
    }

    [LoggerMessage(200, LogLevel.Information, "Garbage collection started (dry run: {DryRun}, delete untagged: {DeleteUntagged}, grace period: {GracePeriod})")]
    private static partial void GcStarted(ILogger logger, bool dryRun, bool deleteUntagged, TimeSpan gracePeriod);

    [LoggerMessage(201, LogLevel.Information, "Garbage collection finished (dry run: {DryRun}): {BlobsScanned} blobs scanned, {BlobsDeleted} deleted, {BytesReclaimed} bytes reclaimed, {SessionsExpired} sessions expired, {ManifestsDeleted} manifests and {LinksDeleted} links deleted, {Conflicts} conflicts, {ElapsedMs} ms")]
    private static partial void GcFinished(ILogger logger, bool dryRun, long blobsScanned, long blobsDeleted, long bytesReclaimed, long sessionsExpired, long manifestsDeleted, long linksDeleted, long conflicts, double elapsedMs);

    [LoggerMessage(202, LogLevel.Information, "Upload expiry removed {Expired} sessions ({Bytes} bytes)")]
    private static partial void UploadsExpired(ILogger logger, long expired, long bytes);
}
