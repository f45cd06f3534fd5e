using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ServerlessRegistry.Auth;

/// <summary>
/// The registry's own JWTs (RS256, signed with <see cref="SigningKeys"/>): bearer tokens for /v2/ and refresh tokens
/// for the token endpoint. The "use" claim keeps the two apart, so neither can stand in for the other.
/// </summary>
/// <remarks>
/// Claims: iss "serverless-registry", aud = the service (public host), sub, iat/nbf/exp, jti, use, and
/// <list type="bullet">
/// <item>access: granted scopes, "repository:name:actions" (actions may be empty: asked for and refused);</item>
/// <item>pol: the caller's policy as "pattern=actions" (refresh tokens; bearer tokens that hold the catalog scope);</item>
/// <item>tkn: "name/id" of the access token the caller signed in with, re-checked for revocation.</item>
/// </list>
/// Validation is CPU only once the keys are cached. Thread-safe.
/// </remarks>
internal sealed class RegistryTokens(SigningKeys keys, TimeProvider time)
{
    public const string Issuer = "serverless-registry";
    public const string AccessUse = "access";
    public const string RefreshUse = "refresh";

    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public async Task<string> IssueAsync(string service, string use, string subject, DateTimeOffset expires, Dictionary<string, object> claims, CancellationToken ct)
    {
        var keySet = await keys.GetAsync(ct).ConfigureAwait(false);
        var now = time.GetUtcNow().UtcDateTime;
        claims["use"] = use;
        claims["sub"] = subject;
        claims["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = service,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(keySet.Active, SecurityAlgorithms.RsaSha256),
        });
    }

    /// <summary>The token when it is ours, valid now, for <paramref name="service"/> and of <paramref name="use"/>; else null.</summary>
    public async Task<JsonWebToken?> ValidateAsync(string token, string service, string use, CancellationToken ct)
    {
        var keySet = await keys.GetAsync(ct).ConfigureAwait(false);
        var result = await _handler.ValidateTokenAsync(token, Parameters(keySet, service)).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // Another instance may have rotated the key.
            keySet = await keys.ReloadAsync(ct).ConfigureAwait(false);
            result = await _handler.ValidateTokenAsync(token, Parameters(keySet, service)).ConfigureAwait(false);
        }

        return result.IsValid && result.SecurityToken is JsonWebToken jwt && jwt.TryGetPayloadValue<string>("use", out var actual) && actual == use
            ? jwt
            : null;
    }

    /// <summary>Whether <paramref name="token"/> looks like one of ours (unverified: only to pick a validation path).</summary>
    public static bool LooksIssuedHere(string token)
    {
        try
        {
            return token.Count(c => c == '.') == 2 && new JsonWebToken(token).Issuer == Issuer;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public static IEnumerable<string> Values(JsonWebToken jwt, string claim) =>
        jwt.Claims.Where(c => c.Type == claim).Select(c => c.Value);

    private TokenValidationParameters Parameters(KeySet keySet, string service) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = service,
        IssuerSigningKeys = keySet.All,
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        LifetimeValidator = TokenClock.Validator(time),
    };
}

/// <summary>Lifetime checks on the injected clock, with one minute of skew between instances and issuers.</summary>
internal static class TokenClock
{
    public static readonly TimeSpan Skew = TimeSpan.FromMinutes(1);

    public static LifetimeValidator Validator(TimeProvider time) => (notBefore, expires, _, _) =>
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } exp && now < exp + Skew && (notBefore is not { } nbf || now >= nbf - Skew);
    };
}
