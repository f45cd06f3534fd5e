using Microsoft.ApplicationInsights.WorkerService;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Functions;

/// <summary>The worker's configuration, in one place so that tests build the same service collection the worker runs.</summary>
internal static class WorkerSetup
{
    public static FunctionsApplicationBuilder ConfigureRegistryWorker(this FunctionsApplicationBuilder builder)
    {
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddRegistryWorker(builder.Configuration);
        builder.Logging.RemoveApplicationInsightsWarningFilter().WithOneLinePerRequest();
        return builder;
    }

    /// <summary>The registry's services plus what the worker adds: the body-size cap lifted and Application Insights.</summary>
    public static IServiceCollection AddRegistryWorker(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        services.AddRegistry(configuration);
        // The host in front of the worker listens beyond loopback, so the registry never runs open in here.
        services.AddSingleton<FunctionsWorkerMarker>();
        // The worker's Kestrel keeps its default 30,000,000-byte cap (the Functions extension never raises it), which
        // would fail a single-PATCH layer push above ~28.6 MiB with a 500 from the host's proxy. Bodies stream from
        // the socket to Put Block, so no cap is needed here; the host's FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (an app
        // setting) stays the one bound on a request body.
        services.Configure<KestrelServerOptions>(options =>
        {
            options.Limits.MaxRequestBodySize = null;
            RequestLimits.Configure(options);
        });
        // Telemetry through the worker's integration. With no connection string (locally, in tests) it sends nothing.
        services.AddApplicationInsightsTelemetryWorkerService();
        services.ConfigureFunctionsApplicationInsights();
        return services;
    }

    /// <summary>
    /// The Application Insights logger provider comes with a rule that keeps only Warning and above; without it the
    /// registry's Information events (maintenance summaries, storage failures' context) reach Application Insights,
    /// and the host.json / Logging:LogLevel settings decide the level.
    /// </summary>
    private static ILoggingBuilder RemoveApplicationInsightsWarningFilter(this ILoggingBuilder logging)
    {
        logging.Services.Configure<LoggerFilterOptions>(options =>
        {
            var rule = options.Rules.FirstOrDefault(r =>
                r.ProviderName == "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider");
            if (rule is not null)
            {
                options.Rules.Remove(rule);
            }
        });
        return logging;
    }
}
