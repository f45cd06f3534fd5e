namespace ServerlessRegistry.Hosting;

/// <summary>Log events of the Functions-host seam (ids 300–399, stable).</summary>
internal static partial class FunctionsLog
{
    [LoggerMessage(300, LogLevel.Information, "Running under the Azure Functions host; timers {Timers}; public URL {PublicUrl}")]
    public static partial void UnderHost(ILogger logger, string timers, string publicUrl);

    [LoggerMessage(301, LogLevel.Information, "Timer {Function} started (past due: {PastDue})")]
    public static partial void TimerStarted(ILogger logger, string function, bool pastDue);

    [LoggerMessage(302, LogLevel.Information, "Timer {Function} finished: {Summary}")]
    public static partial void TimerFinished(ILogger logger, string function, string summary);

    [LoggerMessage(303, LogLevel.Error, "Timer {Function} failed")]
    public static partial void TimerFailed(ILogger logger, Exception exception, string function);

    [LoggerMessage(304, LogLevel.Warning, "Refused a proxied request for the internal timer endpoint {Path} from {Remote}")]
    public static partial void TimerRefused(ILogger logger, string path, string remote);
}
