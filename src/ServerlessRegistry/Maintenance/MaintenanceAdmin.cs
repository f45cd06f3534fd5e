using Microsoft.Extensions.Options;
using ServerlessRegistry.Admin;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>The admin API's usage report and garbage collection (<see cref="AdminRoutes"/>, tag "maintenance").</summary>
internal static class MaintenanceAdmin
{
    /// <summary>
    /// Where a garbage collection run in this process reports progress: the command line sets it for a run against storage
    /// (its stderr lines); over HTTP there is none.
    /// </summary>
    public static readonly AsyncLocal<IProgress<GcProgress>?> LocalProgress = new();

    /// <summary>
    /// getUsage: one scan of the repositories table per call (read-only, safe at any time; a push racing the scan may or may
    /// not be counted). The totals cover every repository, so each page repeats them.
    /// </summary>
    public static async Task<AdminResult> GetUsage(AdminRequest request)
    {
        var paging = request.Paging();
        var usage = await request.Service<UsageReport>().RunAsync(request.Aborted);
        var page = paging.Of(usage.Repositories.Select(RepositoryUsageView.Of), r => r.Repository);
        var totals = new UsageTotals(
            usage.Repositories.Count, usage.LogicalBytes, usage.StoredBytes, usage.Repositories.Sum(r => (long)r.Blobs), usage.Repositories.Sum(r => (long)r.Manifests));
        return AdminResult.Ok(new UsageView(page.Items, totals, page.Next));
    }

    /// <summary>
    /// collectGarbage: one online run, as the gc command and the timer make it (idempotent; may overlap pushes, pulls and
    /// other runs, see StorageLayout). The options are checked before storage is touched: a grace period below the
    /// minimum is INVALID unless the registry's storage is a local emulator, and then the report carries a warning.
    /// </summary>
    public static async Task<AdminResult> CollectGarbage(AdminRequest request)
    {
        var body = await request.BodyAsync<GcRequest>();
        TimeSpan? grace = null;
        if (body.GracePeriod is { } text)
        {
            grace = Durations.TryParse(text, out var parsed)
                ? parsed
                : Fail.With<TimeSpan>(ErrorKind.Invalid, $"gracePeriod: '{text}' is not a duration; give 24h, 2d, 90m or 0s");
        }

        var local = LocalEmulator.IsLocal(request.Service<IConfiguration>()["Storage:BlobEndpoint"]);
        var settings = request.Service<IOptions<MaintenanceOptions>>().Value.With(
            dryRun: body.DryRun ? true : null, deleteUntagged: body.DeleteUntagged ? true : null, gracePeriod: grace, allowShortGracePeriod: local);
        try
        {
            settings.Validate();
        }
        catch (ArgumentException e)
        {
            Fail.With(ErrorKind.Invalid, e.Message);
        }

        var warning = settings.GracePeriod < MaintenanceOptions.MinimumGracePeriod
            ? $"grace period {settings.GracePeriod} is below {MaintenanceOptions.MinimumGracePeriod}; allowed only because storage is a local emulator. A push running now may lose blobs."
            : null;
        var report = await request.Service<MaintenanceJobs>().RunGarbageCollectionAsync(settings, LocalProgress.Value, request.Aborted);
        return AdminResult.Ok(GcReportView.Of(report, settings.GracePeriod, warning));
    }
}
