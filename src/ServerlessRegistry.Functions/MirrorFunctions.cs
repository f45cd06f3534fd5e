using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Mirror;

namespace ServerlessRegistry.Functions;

/// <summary>
/// The mirror's pre-fetch timer: keeps Mirror:Prefetch images warm. With nothing configured a tick does nothing and
/// costs no storage or upstream call. Failures of single images are reported in the summary; the run itself fails
/// only when storage does, so the next tick retries.
/// </summary>
internal sealed partial class MirrorFunctions(MirrorPrefetch prefetch, ILogger<MirrorFunctions> logger)
{
    public const string PrefetchName = "PrefetchMirror";

    /// <summary>Every six hours at :45, away from the other timers; an upstream tag moved meanwhile is caught by the next pull anyway.</summary>
    public const string PrefetchSchedule = "0 45 */6 * * *";

    [Function(PrefetchName)]
    public async Task PrefetchAsync([TimerTrigger(PrefetchSchedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        Started(logger, timer.IsPastDue);
        var report = await prefetch.RunAsync(null, cancellationToken);
        Finished(logger, report.Summary());
    }

    [LoggerMessage(310, LogLevel.Information, "Timer PrefetchMirror started (past due: {PastDue})")]
    private static partial void Started(ILogger logger, bool pastDue);

    [LoggerMessage(311, LogLevel.Information, "Timer PrefetchMirror finished: {Summary}")]
    private static partial void Finished(ILogger logger, string summary);
}
