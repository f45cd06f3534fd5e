using System.CommandLine;

namespace ServerlessRegistry.Auth;

/// <summary>Auth's one seam into the program: its services, its HTTP endpoints and its commands.</summary>
internal static class AuthSetup
{
    public static IServiceCollection AddRegistryAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IRegistryAuthorizer, OpenAuthorizer>();
        return services;
    }

    /// <summary>Maps auth's own endpoints (none while auth is off).</summary>
    public static WebApplication MapRegistryAuth(this WebApplication app) => app;

    public static IEnumerable<Command> Commands() => [];
}
