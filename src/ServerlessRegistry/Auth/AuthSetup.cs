using System.CommandLine;
using ServerlessRegistry.Cli;

namespace ServerlessRegistry.Auth;

/// <summary>Auth's one seam into the program: its services and its commands (RegistryPipeline routes /oauth2 to <see cref="TokenEndpoints"/> while auth is on).</summary>
/// <remarks>
/// Configuration (section "Auth", see <see cref="AuthOptions"/>): Enabled, Entra:Instance, Entra:TenantIds,
/// Entra:Audiences, AnonymousPullPrefixes, AccessTokenLifetime, RefreshTokenLifetime, RevocationCheckInterval; and
/// Registry:PublicUrl for the token realm. Everything is created lazily: nothing here does I/O at start.
/// </remarks>
internal static class AuthSetup
{
    public static IServiceCollection AddRegistryAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var options = AuthOptions.From(configuration);
        services.AddSingleton(options);
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<RegistryTokens>();
        services.AddSingleton<EntraValidator>();
        services.AddSingleton<AccessTokenStore>();
        services.AddSingleton<Credentials>();
        services.AddHostedService<AuthStartupCheck>();
        if (options.Enabled)
        {
            services.AddSingleton<IRegistryAuthorizer, TokenAuthorizer>();
        }
        else
        {
            services.AddSingleton<IRegistryAuthorizer, OpenAuthorizer>();
        }

        return services;
    }

    public static IEnumerable<Command> Commands() => [TokenCommands.Create()];
}
