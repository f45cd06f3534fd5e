using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Admin;
using ServerlessRegistry.Api;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Events;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Policies;
using ServerlessRegistry.Web;

namespace ServerlessRegistry.Hosting;

/// <summary>The registry's services, registered the same way by every host: Kestrel (serve, CLI, tests) and the Functions worker.</summary>
internal static class RegistryServices
{
    /// <summary>
    /// Registers the checked options (<see cref="OptionsChecks"/>), storage, the registry services, auth, maintenance and <see cref="RegistryPipeline"/>.
    /// Creates nothing that does I/O: storage clients are built on first use and make no request until a call.
    /// </summary>
    public static IServiceCollection AddRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions(configuration);
        services.AddSingleton(TimeProvider.System);
        StorageSettings.Register(services);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RegistryOptions>>().Value);
        services.AddSingleton<BlobService>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<CatalogService>();
        services.AddSingleton<ManifestService>();
        services.AddSingleton<RepositoryStats>();
        services.AddSingleton<ReferrerService>();
        services.AddSingleton<PullRecorder>();
        services.AddRegistryAuth(configuration);
        services.AddMaintenance();
        services.AddMirror(configuration);
        services.AddAdmin();
        services.AddWeb(configuration);
        services.AddPolicies();
        services.AddEvents(configuration);
        services.AddSingleton(sp => new PublicAddress(sp.GetRequiredService<IOptions<PublicUrlOptions>>().Value.Url));
        services.AddSingleton<EndpointServices>();
        services.AddSingleton<RegistryDispatcher>();
        services.AddSingleton<RegistryPipeline>();
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Only a proxy on loopback is trusted (the defaults: 127.0.0.0/8 and ::1), and only its last hop. The
            // Functions worker applies forwarded headers with its own fixed options; this configures Kestrel's.
            options.ForwardedHeaders = ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
        });
        return services;
    }
}
