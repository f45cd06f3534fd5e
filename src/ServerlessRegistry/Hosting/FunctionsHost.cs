namespace ServerlessRegistry.Hosting;

/// <summary>
/// What running under the Azure Functions host adds: proxied requests (forwarded host and scheme, public base
/// URL) and the host's non-HTTP invocations (timers).
/// </summary>
internal static class FunctionsHost
{
    public static IServiceCollection AddFunctionsHost(this IServiceCollection services, IConfiguration configuration) => services;

    /// <summary>Runs first in the pipeline, before errors are handled and requests dispatched.</summary>
    public static WebApplication UseFunctionsHost(this WebApplication app) => app;
}
