namespace ServerlessRegistry.Auth;

/// <summary>Auth's log events (source-generated; ids 100-199, stable).</summary>
internal static partial class AuthLog
{
    [LoggerMessage(100, LogLevel.Information, "Auth is on: Entra tenants [{Tenants}], anonymous pull for [{Prefixes}], token lifetime {Lifetime}")]
    public static partial void Enabled(ILogger logger, string tenants, string prefixes, TimeSpan lifetime);

    [LoggerMessage(101, LogLevel.Critical, "Refusing to start: {Reason}")]
    public static partial void RefusedToStart(ILogger logger, string reason);

    [LoggerMessage(102, LogLevel.Warning, "Auth is off (loopback only). Start with --Auth:Enabled=true (scripts/run-local.sh --auth) to require sign-in.")]
    public static partial void Disabled(ILogger logger);
}
