namespace ServerlessRegistry.Hosting;

/// <summary>The program's log events (source-generated; ids are stable).</summary>
internal static partial class RegistryLog
{
    /// <summary>The category of the one line per request; its level can be set apart from the rest (Logging:LogLevel:ServerlessRegistry.Requests).</summary>
    public const string RequestCategory = "ServerlessRegistry.Requests";

    /// <summary>ASP.NET Core's own "Request starting" / "Request finished" pair, replaced by <see cref="Request"/>.</summary>
    private const string FrameworkRequestCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    [LoggerMessage(1, LogLevel.Information, "ServerlessRegistry listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(3, LogLevel.Error, "Storage failed during {Method} {Path}")]
    public static partial void StorageFailed(ILogger logger, Exception exception, string method, string path);

    /// <summary>One line per request: Information, or Warning for a 5xx. The path carries no query (SAS-like secrets stay out).</summary>
    [LoggerMessage(EventId = 4, Message = "{Method} {Path} {Status} {ElapsedMs} ms {Caller}")]
    public static partial void Request(ILogger logger, LogLevel level, string method, string path, int status, double elapsedMs, string caller);

    /// <summary>Both hosts: keeps the framework's per-request pair out of Information, so each request logs one line.</summary>
    public static ILoggingBuilder WithOneLinePerRequest(this ILoggingBuilder logging) =>
        logging.AddFilter(FrameworkRequestCategory, LogLevel.Warning);

    [LoggerMessage(5, LogLevel.Error, "Storage refused the registry's credentials during {Method} {Path}; fix the configuration: {Reason}")]
    public static partial void StorageAccessDenied(ILogger logger, Exception exception, string method, string path, string reason);

    [LoggerMessage(6, LogLevel.Error, "Storage rejected a request during {Method} {Path}: {Reason}")]
    public static partial void StorageRejected(ILogger logger, Exception exception, string method, string path, string reason);

    [LoggerMessage(7, LogLevel.Error, "Unhandled failure during {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);
}
