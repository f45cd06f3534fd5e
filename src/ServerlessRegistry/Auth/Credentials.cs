using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Auth;

/// <summary>
/// Turns what a client presents (Basic credentials, a refresh token, an Entra token) into a <see cref="Principal"/>,
/// and mints registry tokens for it. Every refusal is UNAUTHORIZED with a message saying why.
/// </summary>
/// <remarks>
/// Username <see cref="EntraUserName"/> (ACR's convention): the password is either a refresh token this registry
/// issued (from /oauth2/exchange) or an Entra ID access token. Any other username names an access token and the
/// password is its secret. Stateless apart from the access-token reads; thread-safe.
/// </remarks>
internal sealed class Credentials(AuthOptions options, EntraValidator entra, AccessTokenStore accessTokens, RegistryTokens tokens, TimeProvider time)
{
    public const string EntraUserName = "00000000-0000-0000-0000-000000000000";

    public async Task<Principal> FromPasswordAsync(string service, string user, string password, CancellationToken ct)
    {
        if (user == EntraUserName)
        {
            if (RegistryTokens.LooksIssuedHere(password))
            {
                return await FromRefreshTokenAsync(service, password, ct).ConfigureAwait(false);
            }

            var (principal, error) = await entra.ValidateAsync(password, ct).ConfigureAwait(false);
            return principal ?? Refuse(error!);
        }

        var info = await accessTokens.VerifyAsync(user, password, ct).ConfigureAwait(false);
        return info is null ? Refuse("incorrect username or password, or the access token was revoked or has expired") : FromAccessToken(info);
    }

    public async Task<Principal> FromRefreshTokenAsync(string service, string refreshToken, CancellationToken ct)
    {
        var jwt = await tokens.ValidateAsync(refreshToken, service, RegistryTokens.RefreshUse, ct).ConfigureAwait(false)
                  ?? Refuse<Microsoft.IdentityModel.JsonWebTokens.JsonWebToken>("the refresh token is not valid or has expired; sign in again");
        if (jwt.TryGetPayloadValue<string>("tkn", out var reference))
        {
            // Re-read the access token: revocation and changes apply to refresh at once.
            var slash = reference.IndexOf('/', StringComparison.Ordinal);
            var info = slash > 0 ? await accessTokens.FindAsync(reference[..slash], reference[(slash + 1)..], ct).ConfigureAwait(false) : null;
            return info is null ? Refuse("the access token was revoked or has expired") : FromAccessToken(info);
        }

        var policy = RegistryTokens.Values(jwt, "pol").Select(v => Grant.TryParse(v, out var g) ? g : default).Where(g => g.Pattern is not null).ToList();
        return new Principal(jwt.Subject, policy, new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero));
    }

    public static Principal FromAccessToken(AccessTokenInfo info) =>
        new("token:" + info.Name, info.Policy, info.ExpiresAt, info.Name + "/" + info.Id);

    /// <summary>A refresh token: Entra sign-ins last Auth:RefreshTokenLifetime; access tokens until they expire.</summary>
    public async Task<(string Token, DateTimeOffset Expires)> IssueRefreshTokenAsync(string service, Principal principal, CancellationToken ct)
    {
        var expires = principal.AccessToken is not null && principal.NotAfter is { } end
            ? end
            : Min(time.GetUtcNow() + options.RefreshTokenLifetime, principal.NotAfter);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["pol"] = principal.Policy.Select(g => g.ToString()).ToArray(),
        };
        if (principal.AccessToken is { } reference)
        {
            claims["tkn"] = reference;
        }

        return (await tokens.IssueAsync(service, RegistryTokens.RefreshUse, principal.Subject, expires, claims, ct).ConfigureAwait(false), expires);
    }

    /// <summary>
    /// A bearer token for the requested scopes, each granted the intersection of what was asked and what policy
    /// (the principal's own plus anonymous pull) allows. A refused scope is kept with no actions, so the registry can
    /// answer DENIED rather than ask again.
    /// </summary>
    public async Task<IssuedToken> IssueAccessTokenAsync(string service, Principal principal, IReadOnlyList<RegistryScope> scopes, CancellationToken ct)
    {
        var policy = EffectivePolicy.Of(principal.Policy, options);
        var granted = new List<string>();
        var catalog = false;
        foreach (var scope in scopes)
        {
            if (scope.IsCatalog)
            {
                catalog = true;
                granted.Add(RegistryScope.Catalog);
            }
            else if (scope.IsAdmin)
            {
                granted.Add(AdminGrant.Holds(policy) ? RegistryScope.Admin : "registry:admin:");
            }
            else if (scope.Type == RegistryScope.Repository && Core.Primitives.Names.IsValidRepository(scope.Name))
            {
                granted.Add((scope with { Actions = scope.Actions & Grant.Allowed(policy, scope.Name) }).ToString());
            }
        }

        var now = time.GetUtcNow();
        var expires = Min(now + options.AccessTokenLifetime, principal.NotAfter);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal) { ["access"] = granted.Distinct().ToArray() };
        if (catalog)
        {
            // The catalog is filtered by policy, not by scopes asked for, so the policy rides along.
            claims["pol"] = policy.Select(g => g.ToString()).ToArray();
        }

        if (principal.AccessToken is { } reference)
        {
            claims["tkn"] = reference;
        }

        var token = await tokens.IssueAsync(service, RegistryTokens.AccessUse, principal.Subject, expires, claims, ct).ConfigureAwait(false);
        // Clients raise anything below 60 s to 60; never promise more than the token holds.
        return new IssuedToken(token, (long)Math.Max(60, (expires - now).TotalSeconds), now, string.Join(' ', granted));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset? b) => b is { } v && v < a ? v : a;

    private static Principal Refuse(string message) => Refuse<Principal>(message);

    private static T Refuse<T>(string message) => Fail.With<T>(ErrorKind.Unauthorized, message);
}

/// <summary>A minted bearer token and what the token endpoint says about it.</summary>
internal sealed record IssuedToken(string Token, long ExpiresIn, DateTimeOffset IssuedAt, string Scope);
