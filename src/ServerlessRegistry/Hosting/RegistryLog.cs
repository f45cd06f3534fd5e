namespace ServerlessRegistry.Hosting;

/// <summary>The program's log events (source-generated; ids are stable).</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(1, LogLevel.Information, "ServerlessRegistry listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(3, LogLevel.Error, "Storage failed during {Method} {Path}")]
    public static partial void StorageFailed(ILogger logger, Exception exception, string method, string path);
}
