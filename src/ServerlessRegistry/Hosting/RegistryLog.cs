namespace ServerlessRegistry.Hosting;

/// <summary>The program's log events (source-generated; ids are stable).</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(1, LogLevel.Information, "ServerlessRegistry listening on {Address}")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(2, LogLevel.Warning, "Authentication is off: anyone who can reach {Address} can push, pull and delete. Use this only on a loopback address.")]
    public static partial void OpenMode(ILogger logger, string address);

    [LoggerMessage(3, LogLevel.Error, "Storage failed during {Method} {Path}")]
    public static partial void StorageFailed(ILogger logger, Exception exception, string method, string path);

    [LoggerMessage(4, LogLevel.Information, "Storage: {Backend} at {BlobEndpoint}, prefix {Prefix}")]
    public static partial void StorageConfigured(ILogger logger, string backend, string blobEndpoint, string prefix);
}
