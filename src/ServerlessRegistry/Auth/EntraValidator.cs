using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Microsoft.IdentityModel.Validators;

namespace ServerlessRegistry.Auth;

/// <summary>
/// Validates Entra ID access tokens sent as the docker login password (username = the null GUID).
/// </summary>
/// <remarks>
/// <para>The token's <c>tid</c> must be on the allow-list before anything is fetched, so strangers cannot make the
/// registry download metadata. Each allowed tenant then has two lazily created, cached OIDC metadata managers:
/// v1 (<c>{instance}/{tid}/.well-known/openid-configuration</c>, issuer <c>https://sts.windows.net/{tid}/</c>) and v2
/// (<c>{instance}/{tid}/v2.0/…</c>, issuer <c>{instance}/{tid}/v2.0</c>); a token ending its <c>iss</c> in /v2.0 uses v2.
/// The issuer must equal that tenant's metadata issuer exactly, the signature must come from its JWKS (refreshed once
/// when a kid is unknown, and every 24 h), the audience must be configured, and the algorithm RS256.</para>
/// <para>Thread-safe; after the metadata is cached, validation is CPU only.</para>
/// </remarks>
internal sealed class EntraValidator(AuthOptions options, TimeProvider time)
{
    private static readonly HttpClient MetadataClient = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> _managers = new(StringComparer.OrdinalIgnoreCase);
    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>The caller's identity and policy, or an error message (never an exception for a bad token).</summary>
    public async Task<(Principal? Principal, string? Error)> ValidateAsync(string token, CancellationToken ct)
    {
        if (!options.EntraEnabled)
        {
            return (null, "Entra ID sign-in is not configured");
        }

        JsonWebToken unverified;
        try
        {
            unverified = new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return (null, "the password is not a JWT");
        }

        if (!unverified.TryGetPayloadValue<string>("tid", out var tid) || !options.TenantIds.Contains(tid, StringComparer.OrdinalIgnoreCase))
        {
            return (null, "the token's tenant is not allowed");
        }

        var v2 = unverified.Issuer.EndsWith("/v2.0", StringComparison.Ordinal);
        var manager = _managers.GetOrAdd((v2 ? "v2/" : "v1/") + tid, _ => CreateManager(tid, v2));
        OpenIdConnectConfiguration config;
        try
        {
            config = await manager.GetConfigurationAsync(ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            return (null, "the tenant's OpenID metadata is unavailable: " + e.Message);
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = config.Issuer.Replace("{tenantid}", tid, StringComparison.Ordinal),
            ValidAudiences = options.Audiences,
            ConfigurationManager = manager,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            LifetimeValidator = TokenClock.Validator(time),
        };
        parameters.EnableAadSigningKeyIssuerValidation();
        var result = await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return (null, "the Entra ID token is not valid: " + Reason(result.Exception));
        }

        // The issuer is exact per tenant, so the verified iss names the allowed tenant; tid must agree with it.
        if (!jwt.Issuer.Contains(tid, StringComparison.OrdinalIgnoreCase) || !jwt.TryGetPayloadValue<string>("oid", out var oid))
        {
            return (null, "the token lacks a matching tenant or an object id");
        }

        var actions = RegistryActions.None;
        foreach (var role in RegistryTokens.Values(jwt, "roles"))
        {
            actions |= RoleActions(role);
        }

        return actions == RegistryActions.None
            ? (null, "the identity holds no Registry.Pull, Registry.Push, Registry.Delete or Registry.Admin role")
            : (new Principal($"entra:{tid}/{oid}", [new Grant("*", actions)]), null);
    }

    /// <summary>App roles to actions. Admin is everything; the others bring pull, which every client needs.</summary>
    public static RegistryActions RoleActions(string role) => role switch
    {
        "Registry.Pull" => RegistryActions.Pull,
        "Registry.Push" => RegistryActions.Pull | RegistryActions.Push,
        "Registry.Delete" => RegistryActions.Pull | RegistryActions.Delete,
        "Registry.Admin" => RegistryActions.All | RegistryActions.Admin,
        _ => RegistryActions.None,
    };

    private ConfigurationManager<OpenIdConnectConfiguration> CreateManager(string tenant, bool v2)
    {
        var address = new Uri(options.EntraInstance, Uri.EscapeDataString(tenant) + (v2 ? "/v2.0" : "") + "/.well-known/openid-configuration");
        var retriever = new HttpDocumentRetriever(MetadataClient) { RequireHttps = !options.EntraInstanceIsLoopback };
        return new ConfigurationManager<OpenIdConnectConfiguration>(address.AbsoluteUri, new OpenIdConnectConfigurationRetriever(), retriever);
    }

    private static string Reason(Exception? e) => e switch
    {
        SecurityTokenExpiredException or SecurityTokenInvalidLifetimeException => "expired",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAlgorithmException => "algorithm not allowed",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "bad signature",
        null => "unknown",
        _ => e.GetType().Name,
    };
}
