using System.CommandLine;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Auth;

/// <summary>Auth's one seam into the program: its services and its commands (RegistryPipeline routes /oauth2 to <see cref="TokenEndpoints"/> while auth is on).</summary>
/// <remarks>
/// Configuration (section "Auth", see <see cref="AuthOptions"/>): Enabled, Entra:Instance, Entra:TenantIds,
/// Entra:Audiences, AnonymousPullPrefixes, AccessTokenLifetime, RefreshTokenLifetime, RevocationCheckInterval; and
/// Registry:PublicUrl for the token realm, parsed once (<see cref="PublicUrlOptions"/>). Everything is created lazily:
/// nothing here does I/O at start.
/// </remarks>
internal static class AuthSetup
{
    public static IServiceCollection AddRegistryAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => AuthOptions.From(configuration, sp.GetRequiredService<IOptions<PublicUrlOptions>>().Value.Url));
        services.AddSingleton<SigningKeys>();
        services.AddSingleton<RegistryTokens>();
        services.AddSingleton<EntraValidator>();
        services.AddSingleton<AccessTokenStore>();
        services.AddSingleton<Credentials>();
        services.AddHostedService<AuthStartupCheck>();
        services.AddSingleton<IRegistryAuthorizer>(sp => sp.GetRequiredService<AuthOptions>().Enabled
            ? ActivatorUtilities.CreateInstance<TokenAuthorizer>(sp)
            : new OpenAuthorizer());

        return services;
    }

    public static IEnumerable<Command> Commands() => [TokenCommands.Create()];
}
