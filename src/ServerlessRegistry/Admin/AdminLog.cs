namespace ServerlessRegistry.Admin;

/// <summary>The admin API's log lines (category ServerlessRegistry.Admin): every call, with its caller and outcome.</summary>
internal static partial class AdminLog
{
    public const string Category = "ServerlessRegistry.Admin";

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "admin {Operation} ({Method} {Path}) by {Caller}: {Status}")]
    public static partial void Call(ILogger logger, string operation, string method, string path, string caller, int status);
}
