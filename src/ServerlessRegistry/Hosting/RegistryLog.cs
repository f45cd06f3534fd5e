namespace ServerlessRegistry.Hosting;

/// <summary>The program's log events (source-generated; ids are stable).</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(1, LogLevel.Information, "ServerlessRegistry listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(3, LogLevel.Error, "Storage failed during {Method} {Path}")]
    public static partial void StorageFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(4, LogLevel.Error, "Storage refused the registry's credentials during {Method} {Path}; fix the configuration: {Reason}")]
    public static partial void StorageAccessDenied(ILogger logger, Exception exception, string method, string path, string reason);

    [LoggerMessage(5, LogLevel.Error, "Storage rejected a request during {Method} {Path}: {Reason}")]
    public static partial void StorageRejected(ILogger logger, Exception exception, string method, string path, string reason);

    [LoggerMessage(6, LogLevel.Error, "Unhandled failure during {Method} {Path}")]
    public static partial void Unhandled(ILogger logger, Exception exception, string method, string path);
}
