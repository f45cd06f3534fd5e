using System.Globalization;
using System.Net;

namespace ServerlessRegistry.Auth;

/// <summary>
/// The "Auth" configuration section (plus Registry:PublicUrl). Read once at start; no I/O.
/// List values accept either children (<c>Auth__Entra__TenantIds__0=…</c>) or one comma-separated value
/// (<c>Auth__Entra__TenantIds=a,b</c>).
/// </summary>
internal sealed class AuthOptions
{
    /// <summary>Auth:Enabled. Off by default, which is allowed only on loopback (see <see cref="AuthStartupCheck"/>).</summary>
    public bool Enabled { get; init; }

    /// <summary>Registry:PublicUrl (or, in Azure, the site's host name; see PublicUrlSetting): the base of the token realm. Null → the request's scheme and host.</summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>Auth:Entra:Instance: the Entra authority host; tests point it at a local issuer.</summary>
    public Uri EntraInstance { get; init; } = new("https://login.microsoftonline.com");

    /// <summary>Auth:Entra:TenantIds: tenants whose tokens are accepted. Empty → Entra sign-in is off.</summary>
    public IReadOnlyList<string> TenantIds { get; init; } = [];

    /// <summary>Auth:Entra:Audiences: the API's client id and/or App ID URI (v1 tokens may carry either).</summary>
    public IReadOnlyList<string> Audiences { get; init; } = [];

    /// <summary>Auth:AnonymousPullPrefixes: repository name prefixes anyone may pull (e.g. "public/").</summary>
    public IReadOnlyList<string> AnonymousPullPrefixes { get; init; } = [];

    /// <summary>
    /// Auth:AccessTokenLifetime (1 h): registry bearer tokens. A token is checked when a request starts, so one long
    /// request never expires midway; clients fetch a new token when theirs expires, between requests.
    /// </summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Auth:RefreshTokenLifetime (3 h, like `az acr login`): refresh tokens minted from an Entra token. Entra identities
    /// cannot be re-checked after their own token expires, so this bounds how long a sign-in lasts. Refresh tokens of
    /// access tokens last until the access token expires: each use re-reads (and so re-checks) the token row.
    /// </summary>
    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromHours(3);

    /// <summary>
    /// Auth:RevocationCheckInterval (5 s): how long an instance trusts that an access token it saw is still active.
    /// Costs one Table point read per token per instance per interval; 0 checks on every request.
    /// </summary>
    public TimeSpan RevocationCheckInterval { get; init; } = TimeSpan.FromSeconds(5);

    public bool EntraEnabled => TenantIds.Count > 0 && Audiences.Count > 0;

    /// <param name="publicUrl">Registry:PublicUrl as parsed once (<see cref="Hosting.PublicUrlOptions"/>).</param>
    public static AuthOptions From(IConfiguration config, Uri? publicUrl)
    {
        var auth = config.GetSection("Auth");
        var instance = auth["Entra:Instance"] ?? auth["Entra:Authority"];
        return new AuthOptions
        {
            Enabled = bool.TryParse(auth["Enabled"], out var enabled) && enabled,
            PublicUrl = publicUrl,
            EntraInstance = string.IsNullOrEmpty(instance) ? new Uri("https://login.microsoftonline.com") : new Uri(instance.TrimEnd('/') + "/"),
            TenantIds = List(auth.GetSection("Entra:TenantIds")),
            Audiences = List(auth.GetSection("Entra:Audiences")),
            AnonymousPullPrefixes = List(auth.GetSection("AnonymousPullPrefixes")),
            AccessTokenLifetime = Time(auth, "AccessTokenLifetime", TimeSpan.FromHours(1)),
            RefreshTokenLifetime = Time(auth, "RefreshTokenLifetime", TimeSpan.FromHours(3)),
            RevocationCheckInterval = Time(auth, "RevocationCheckInterval", TimeSpan.FromSeconds(5)),
        };
    }

    /// <summary>Whether Entra metadata may be fetched over plain HTTP: only from a loopback issuer (tests).</summary>
    public bool EntraInstanceIsLoopback =>
        EntraInstance.IsLoopback || IPAddress.TryParse(EntraInstance.Host, out var ip) && IPAddress.IsLoopback(ip);

    private static string[] List(IConfigurationSection section)
    {
        var values = section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value ?? "");
        return [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
    }

    /// <summary>Built when the host starts (the startup check needs it), so a bad value stops the start naming its key.</summary>
    private static TimeSpan Time(IConfigurationSection auth, string key, TimeSpan fallback) => auth[key] switch
    {
        null or "" => fallback,
        var text when TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= TimeSpan.Zero => value,
        var text => throw new InvalidOperationException($"Auth:{key} must be a non-negative time span such as 01:00:00; got '{text}'."),
    };
}
