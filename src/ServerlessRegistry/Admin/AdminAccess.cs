using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Admin;

/// <summary>
/// Who may call the admin API, decided by the registry's own authorization: the credentials are read by
/// <see cref="Credentials"/> (as the token endpoint reads them) and the grant checked by <see cref="AdminGrant"/>; a
/// registry bearer token goes through <see cref="IRegistryAuthorizer"/> with <see cref="Access.Admin"/>.
/// </summary>
/// <remarks>
/// Accepted: Basic with an access token's name and secret (or the null-GUID user and an Entra token, as docker login
/// sends it); Bearer with an Entra access token for the API app (what <c>az account get-access-token</c> prints); Bearer
/// with a registry token minted for scope registry:admin:*. None → 401 with a challenge; valid but not admin → 403
/// DENIED. With auth off (loopback development) every caller is admin, as for the rest of the registry. Thread-safe;
/// a Basic or Entra call costs what a token request costs (an access-token read, or a cached-key signature check).
/// </remarks>
internal sealed class AdminAccess(IRegistryAuthorizer authorizer, IServiceProvider services)
{
    public const string AuthOffCaller = "anyone (auth off)";

    /// <summary>Returns the caller's subject, or throws UNAUTHORIZED or DENIED.</summary>
    public async ValueTask<string> AuthorizeAsync(HttpContext context)
    {
        if (!authorizer.Enforced)
        {
            return AuthOffCaller;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var options = services.GetRequiredService<AuthOptions>();
        var service = TokenEndpoints.Service(options);
        Principal principal;
        if (TokenEndpoints.ReadBasic(context.Request) is var (user, password))
        {
            principal = await services.GetRequiredService<Credentials>().FromPasswordAsync(service, user, password, context.RequestAborted);
        }
        else if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() is { Length: > 0 } token && !RegistryTokens.LooksIssuedHere(token))
        {
            principal = await services.GetRequiredService<Credentials>().FromPasswordAsync(service, Credentials.EntraUserName, token, context.RequestAborted);
        }
        else
        {
            // A registry token, or nothing: the registry's authorizer decides and challenges for scope registry:admin:*.
            await authorizer.AuthorizeAsync(context, "", Access.Admin);
            return authorizer.CallerOf(context) ?? "unknown";
        }

        if (!AdminGrant.Holds(principal.Policy))
        {
            Fail.With(ErrorKind.Denied, "the admin API needs the Registry.Admin role or an access token with the admin action", ("caller", principal.Subject));
        }

        return principal.Subject;
    }
}
