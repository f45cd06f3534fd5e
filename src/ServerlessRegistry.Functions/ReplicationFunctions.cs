using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Events.Replication;

namespace ServerlessRegistry.Functions;

/// <summary>
/// The replication rules' daily full sync: copies what push events missed (rules added later, a destination down past
/// the last retry). With no rules a tick does nothing and costs no storage or network call. Failed tags are reported in
/// the summary and tried again by the next tick; the run itself fails only when storage does.
/// </summary>
internal sealed partial class ReplicationFunctions(ReplicationSync sync, ILogger<ReplicationFunctions> logger)
{
    public const string SyncName = "SyncReplication";

    /// <summary>Daily at 03:15 UTC, before garbage collection at 03:30.</summary>
    public const string SyncSchedule = "0 15 3 * * *";

    [Function(SyncName)]
    public async Task SyncAsync([TimerTrigger(SyncSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        Started(logger, timer.IsPastDue);
        var report = await sync.RunAsync(null, dryRun: false, null, cancellationToken);
        Finished(logger, report.Summary());
    }

    [LoggerMessage(330, LogLevel.Information, "Timer SyncReplication started (past due: {PastDue})")]
    private static partial void Started(ILogger logger, bool pastDue);

    [LoggerMessage(331, LogLevel.Information, "Timer SyncReplication finished: {Summary}")]
    private static partial void Finished(ILogger logger, string summary);
}
