using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Api;
using Azure.Core.Pipeline;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// Builds the registry's web application. The same program serves under the Azure Functions host (custom
/// handler on FUNCTIONS_CUSTOMHANDLER_PORT) and locally; only the port and the public base URL differ.
/// </summary>
internal static class RegistryApp
{
    /// <param name="configure">Adds configuration sources (tests, CLI) before anything reads it.</param>
    /// <param name="configureServices">Adds or replaces services after the registry's own (tests, benchmarks).</param>
    public static WebApplication Build(string[] args, Action<ConfigurationManager>? configure = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder.Configuration);
        var config = builder.Configuration;

        var port = int.Parse(config["FUNCTIONS_CUSTOMHANDLER_PORT"] ?? config["REGISTRY_PORT"] ?? config["Registry:Port"] ?? "5000", System.Globalization.CultureInfo.InvariantCulture);
        var address = IPAddress.Parse(config["Registry:BindAddress"] ?? "127.0.0.1");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
            RequestLimits.Configure(kestrel);
        });
        if (config["FUNCTIONS_CUSTOMHANDLER_PORT"] is not null || config["Logging:Format"] == "json")
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }

        var services = builder.Services;
        services.AddOptions<RegistryOptions>().Bind(config.GetSection("Registry"));
        services.AddSingleton(TimeProvider.System);
        StorageSettings.Register(services, config);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RegistryOptions>>().Value);
        services.AddSingleton<BlobService>();
        services.AddSingleton<UploadService>();
        services.AddSingleton<CatalogService>();
        services.AddSingleton<ManifestService>();
        services.AddSingleton<ReferrerService>();
        services.AddRegistryAuth(config);
        services.AddMaintenance(config);
        services.AddFunctionsHost(config);
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.UseFunctionsHost();
        app.Use(ErrorHandling.InvokeAsync);
        app.Use(RequestLimits.InvokeAsync);
        app.MapRegistryAuth();
        app.Map("/v2", v2 => v2.Run(RegistryDispatcher.DispatchAsync));
        app.Run(NotFound);
        app.Lifetime.ApplicationStarted.Register(() => AnnounceAsync(app));
        return app;
    }

    /// <summary>The address Kestrel actually bound (port 0 picks a free one).</summary>
    public static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>
    /// "/" answers at once and touches nothing: the Functions host polls it for readiness. Everything else
    /// outside /v2 is an unknown route.
    /// </summary>
    private static Task NotFound(HttpContext context)
    {
        if (context.Request.Path == "/")
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        }

        context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        return Errors.ErrorWriter.WriteAsync(context, new Core.Errors.RegistryException(Core.Errors.ErrorKind.RouteUnknown, "no such endpoint"));
    }

    private static void AnnounceAsync(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ServerlessRegistry");
        // Whether auth is on is logged by the auth startup check; this is the ready line scripts wait for.
        RegistryLog.Listening(logger, BoundAddress(app).ToString().TrimEnd('/'));
    }
}
