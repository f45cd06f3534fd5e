using System.Globalization;
using ServerlessRegistry.Auth;

namespace ServerlessRegistry.Web.Session;

/// <summary>
/// Browser-session settings: section "Web" plus the Entra settings docker login already uses (Auth:Entra:*). Read once
/// at start; no I/O.
/// </summary>
/// <remarks>
/// <para>Web:SignIn:ClientId: the app registration's client id, which the browser sign-in asks Entra for. Defaults to
/// the first GUID-shaped Auth:Entra:Audiences value (the same registration as docker login). Without one, the
/// Entra button is not offered.</para>
/// <para>Web:SessionLifetime (8 h): how long a browser session lasts, fixed from sign-in (no sliding). An Entra
/// session is capped by Auth:RefreshTokenLifetime, as a docker login is, because its roles cannot be re-checked
/// until the person signs in again; an access-token session is capped by the token's expiry and re-checked on
/// every request.</para>
/// </remarks>
internal sealed class WebSessionOptions
{
    public const string CookieScheme = "RegistryWebSession";
    public const string EntraScheme = "RegistryWebEntra";
    public const string CallbackPath = "/signin-oidc";

    /// <summary>Where a failed Entra sign-in lands; the sign-in page shows the error.</summary>
    public const string EntraFailurePath = "/signin?error=entra";

    public string? ClientId { get; init; }

    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>The tenant segment of the authority: the one allowed tenant, or "organizations" when several are (tid is then checked against the list).</summary>
    public string Tenant { get; init; } = "organizations";

    public bool EntraEnabled { get; init; }

    /// <summary>The v2.0 authority Entra sign-in uses: {Auth:Entra:Instance}{tenant}/v2.0.</summary>
    public string Authority { get; init; } = "";

    public static WebSessionOptions From(IConfiguration config, AuthOptions auth)
    {
        var web = config.GetSection("Web");
        var clientId = web["SignIn:ClientId"] is { Length: > 0 } configured
            ? configured
            : auth.Audiences.FirstOrDefault(a => Guid.TryParse(a, out _));
        var tenant = auth.TenantIds.Count == 1 ? auth.TenantIds[0] : "organizations";
        return new WebSessionOptions
        {
            ClientId = clientId,
            SessionLifetime = web["SessionLifetime"] switch
            {
                null or "" => TimeSpan.FromHours(8),
                var text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero => value,
                var text => throw new InvalidOperationException($"Web:SessionLifetime must be a positive time span such as 08:00:00; got '{text}'."),
            },
            Tenant = tenant,
            EntraEnabled = auth.Enabled && auth.EntraEnabled && clientId is not null,
            Authority = $"{auth.EntraInstance}{Uri.EscapeDataString(tenant)}/v2.0",
        };
    }

    /// <summary>An Entra session lasts the session lifetime, but no longer than a docker login from the same sign-in would.</summary>
    public TimeSpan EntraLifetime(AuthOptions auth) => SessionLifetime < auth.RefreshTokenLifetime ? SessionLifetime : auth.RefreshTokenLifetime;
}
