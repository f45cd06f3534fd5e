using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Logging.Console;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// What running under the Azure Functions host adds: proxied requests (forwarded host and scheme, public base
/// URL) and the host's non-HTTP invocations (timers).
/// </summary>
/// <remarks>
/// Under the host (proxy mode) every public request reaches Kestrel from the host's YARP proxy on loopback, with
/// <c>Host: 127.0.0.1:port</c> and <c>X-Forwarded-Host/-Proto/-For</c> added; the host's own timer invocations
/// arrive on the same port without them. Locally and in tests there is no proxy and nothing here changes a request.
/// </remarks>
internal static class FunctionsHost
{
    public static IServiceCollection AddFunctionsHost(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = FunctionsHostSettings.From(configuration);
        services.AddSingleton(settings);
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Only the host's proxy on loopback is trusted (the defaults: 127.0.0.0/8 and ::1), and only its last hop.
            options.ForwardedHeaders = ForwardedHeaders.XForwardedHost | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = 1;
        });
        if (settings.UnderHost)
        {
            // The host forwards stdout lines as information and stderr lines as errors: one JSON object per line.
            services.Configure<ConsoleLoggerOptions>(options => options.LogToStandardErrorThreshold = LogLevel.Error);
            services.Configure<JsonConsoleFormatterOptions>(options =>
            {
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
                options.JsonWriterOptions = new() { Indented = false };
            });
        }

        return services;
    }

    /// <summary>Runs first in the pipeline, before errors are handled and requests dispatched.</summary>
    public static WebApplication UseFunctionsHost(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<FunctionsHostSettings>();
        // Classify on the raw headers: the forwarded-headers middleware consumes them.
        app.Use(ProxiedRequest.ClassifyAsync);
        if (settings.UnderHost)
        {
            app.Use(TimerInvocations.InvokeAsync);
            app.Lifetime.ApplicationStarted.Register(() => FunctionsLog.UnderHost(
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ServerlessRegistry.Functions"),
                string.Join(", ", TimerInvocations.Functions), settings.PublicUrl?.ToString() ?? "(forwarded host)"));
        }

        app.UseForwardedHeaders();
        app.Use(new PublicAddress(settings.PublicUrl).InvokeAsync);
        return app;
    }
}

/// <summary>What the Functions seam reads from configuration, parsed and checked once at start (no I/O).</summary>
internal sealed record FunctionsHostSettings(bool UnderHost, Uri? PublicUrl)
{
    public static FunctionsHostSettings From(IConfiguration configuration) =>
        new(AzureSettings.UnderFunctionsHost(configuration), PublicUrlSetting.Resolve(configuration));
}
