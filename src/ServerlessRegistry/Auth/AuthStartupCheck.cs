using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Auth;

/// <summary>
/// Refuses to serve without auth unless the registry is confined to loopback, and refuses to serve in Azure without a
/// public URL. Runs when the host starts (not when it is built), so CLI commands that share the configuration are
/// unaffected; does no I/O.
/// </summary>
/// <remarks>
/// <para>Configuration is checked before the server starts; the addresses the server actually bound are checked once it
/// has (<see cref="StartedAsync"/>), because listeners can come from elsewhere (Kestrel:Endpoints, URLS).</para>
/// <para>The Functions worker binds loopback but the host in front of it does not (see
/// <see cref="FunctionsWorkerMarker"/>), so running inside the worker counts as exposed, and so does Azure
/// (WEBSITE_SITE_NAME set).</para>
/// </remarks>
internal sealed class AuthStartupCheck(IConfiguration configuration, AuthOptions options, IServiceProvider services, ILogger<AuthStartupCheck> logger) : IHostedLifecycleService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Enabled)
        {
            if (AzureSettings.RunsInAzure(configuration) && options.PublicUrl is null)
            {
                Refuse($"running in Azure ({AzureSettings.SiteName} is set) without {AzureSettings.PublicUrl} or {PublicUrlSetting.SiteHostName}: the token realm would follow the request's Host. Set {AzureSettings.PublicUrl}.");
            }

            AuthLog.Enabled(logger, string.Join(",", options.TenantIds), string.Join(",", options.AnonymousPullPrefixes), options.AccessTokenLifetime);
            return Task.CompletedTask;
        }

        if (services.GetService<FunctionsWorkerMarker>() is not null)
        {
            Refuse("auth is off inside the Functions worker, whose host listens beyond loopback (func start binds 0.0.0.0; in Azure it is public). Set Auth__Enabled=true.");
        }

        if (ExposedReason(configuration) is { } reason)
        {
            Refuse(reason);
        }

        AuthLog.Disabled(logger);
        return Task.CompletedTask;
    }

    /// <summary>With auth off, every address the server bound must be loopback.</summary>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (!options.Enabled && services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>() is { } bound
            && bound.Addresses.FirstOrDefault(a => !IsLoopback(a)) is { } exposed)
        {
            Refuse($"auth is off but the server listens on {exposed}, which is not loopback (check Kestrel:Endpoints and URLS). Set Auth:Enabled=true.");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Why running open would expose the registry, or null when it is confined to loopback.</summary>
    public static string? ExposedReason(IConfiguration configuration)
    {
        if (AzureSettings.RunsInAzure(configuration))
        {
            return "auth is off in Azure, where the Functions host makes the registry public. Set Auth__Enabled=true.";
        }

        var bind = configuration["Registry:BindAddress"] ?? "127.0.0.1";
        return IPAddress.TryParse(bind, out var address) && IPAddress.IsLoopback(address)
            ? null
            : $"auth is off but Registry:BindAddress is {bind}, which is not loopback. Set Auth:Enabled=true.";
    }

    /// <summary>Whether a bound address ("http://127.0.0.1:5000", "http://[::1]:0", "http://localhost:5000") is loopback only.</summary>
    internal static bool IsLoopback(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) &&
        (uri.IsLoopback || IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    private void Refuse(string reason)
    {
        AuthLog.RefusedToStart(logger, reason);
        throw new InvalidOperationException("Refusing to start: " + reason);
    }
}
