using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Functions;

/// <summary>
/// The scheduled maintenance runs (six-field NCRONTAB, UTC: Flex Consumption has no time zones). Each timer runs on
/// instances of its own and only one instance per tick; a failed run throws, so the invocation is recorded as
/// failed, and the next tick finishes what it left (both jobs are idempotent).
/// </summary>
internal sealed partial class MaintenanceFunctions(MaintenanceJobs jobs, ILogger<MaintenanceFunctions> logger)
{
    public const string CollectGarbageName = "CollectGarbage";
    public const string ExpireUploadsName = "ExpireUploads";

    /// <summary>Daily at 03:30 UTC.</summary>
    public const string CollectGarbageSchedule = "0 30 3 * * *";

    /// <summary>Hourly at :15.</summary>
    public const string ExpireUploadsSchedule = "0 15 * * * *";

    [Function(CollectGarbageName)]
    public async Task CollectGarbageAsync([TimerTrigger(CollectGarbageSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        TimerStarted(logger, CollectGarbageName, timer.IsPastDue);
        TimerFinished(logger, CollectGarbageName, await jobs.CollectGarbageAsync(cancellationToken));
    }

    [Function(ExpireUploadsName)]
    public async Task ExpireUploadsAsync([TimerTrigger(ExpireUploadsSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        TimerStarted(logger, ExpireUploadsName, timer.IsPastDue);
        TimerFinished(logger, ExpireUploadsName, await jobs.ExpireUploadsAsync(cancellationToken));
    }

    [LoggerMessage(300, LogLevel.Information, "Timer {Function} started (past due: {PastDue})")]
    private static partial void TimerStarted(ILogger logger, string function, bool pastDue);

    [LoggerMessage(301, LogLevel.Information, "Timer {Function} finished: {Summary}")]
    private static partial void TimerFinished(ILogger logger, string function, string summary);
}
