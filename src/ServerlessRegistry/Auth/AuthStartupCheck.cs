using System.Net;

namespace ServerlessRegistry.Auth;

/// <summary>
/// Refuses to serve without auth unless the registry is confined to loopback. Runs when the host starts (not when
/// it is built), so CLI commands that share the configuration are unaffected; does no I/O.
/// </summary>
/// <remarks>
/// In Azure (WEBSITE_SITE_NAME set) the Functions worker binds loopback but the host's proxy makes it public, so
/// that counts as exposed too.
/// </remarks>
internal sealed class AuthStartupCheck(IConfiguration configuration, AuthOptions options, ILogger<AuthStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Enabled)
        {
            AuthLog.Enabled(logger, string.Join(",", options.TenantIds), string.Join(",", options.AnonymousPullPrefixes), options.AccessTokenLifetime);
            return Task.CompletedTask;
        }

        if (ExposedReason(configuration) is { } reason)
        {
            AuthLog.RefusedToStart(logger, reason);
            throw new InvalidOperationException("Refusing to start: " + reason);
        }

        AuthLog.Disabled(logger);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Why running open would expose the registry, or null when it is confined to loopback.</summary>
    public static string? ExposedReason(IConfiguration configuration)
    {
        if (Hosting.AzureSettings.RunsInAzure(configuration))
        {
            return "auth is off in Azure, where the Functions host makes the registry public. Set Auth__Enabled=true.";
        }

        var bind = configuration["Registry:BindAddress"] ?? "127.0.0.1";
        return IPAddress.TryParse(bind, out var address) && IPAddress.IsLoopback(address)
            ? null
            : $"auth is off but Registry:BindAddress is {bind}, which is not loopback. Set Auth:Enabled=true.";
    }
}
