using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// Builds the standalone server: Kestrel running <see cref="RegistryPipeline"/> behind the forwarded-headers
/// middleware. It serves locally, in every test and on any machine or container platform; in Azure Functions the
/// worker runs the same pipeline (src/ServerlessRegistry.Functions).
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

        var port = int.Parse(config["REGISTRY_PORT"] ?? config["Registry:Port"] ?? "5000", System.Globalization.CultureInfo.InvariantCulture);
        var address = IPAddress.Parse(config["Registry:BindAddress"] ?? "127.0.0.1");
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.AddServerHeader = false;
            RequestLimits.Configure(kestrel);
        });
        builder.Logging.WithOneLinePerRequest();
        if (config["Logging:Format"] == "json")
        {
            builder.Logging.ClearProviders().AddJsonConsole();
        }

        builder.Services.AddRegistry(config);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseForwardedHeaders();
        // Resolved on first use, not here: building it reads options, which are checked when the host starts.
        RegistryPipeline? pipeline = null;
        app.Run(context => (pipeline ??= context.RequestServices.GetRequiredService<RegistryPipeline>()).InvokeAsync(context));
        app.Lifetime.ApplicationStarted.Register(() => Announce(app));
        return app;
    }

    /// <summary>The address Kestrel actually bound (port 0 picks a free one).</summary>
    public static Uri BoundAddress(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static void Announce(WebApplication app)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ServerlessRegistry");
        // Whether auth is on is logged by the auth startup check; this is the ready line scripts wait for.
        RegistryLog.Listening(logger, BoundAddress(app).ToString().TrimEnd('/'));
    }
}
