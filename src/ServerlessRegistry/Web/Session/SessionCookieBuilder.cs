using System.Net;

namespace ServerlessRegistry.Web.Session;

/// <summary>
/// Cookies of the web interface (session, anti-forgery, sign-in correlation and nonce): HttpOnly, path "/", and Secure
/// on every request except plain HTTP to a loopback host (local mode and tests), where a Secure cookie would never
/// come back. A SameSite=None cookie that cannot be Secure falls back to Lax, which browsers require; on loopback the
/// identity provider's form post is same-site anyway.
/// </summary>
/// <remarks>
/// With <c>hostPrefix</c>, a Secure cookie is named "__Host-{name}", so the browser refuses it from a sibling host or
/// over plain HTTP. The handlers ask for the name without the request, so <see cref="WebSession"/> names the request
/// with <see cref="Use"/> (flowing with the async call) before it calls them; without one the plain name is used.
/// </remarks>
internal sealed class SessionCookieBuilder : CookieBuilder
{
    public const string HostPrefix = "__Host-";

    private static readonly AsyncLocal<HttpContext?> Current = new();
    private readonly bool _hostPrefix;

    public SessionCookieBuilder(string name, SameSiteMode sameSite, bool hostPrefix = false)
    {
        _hostPrefix = hostPrefix;
        Name = name;
        SameSite = sameSite;
        HttpOnly = true;
        IsEssential = true;
        Path = "/";
        // Not Always: anti-forgery refuses to run on plain HTTP with that policy, loopback included. Build decides.
        SecurePolicy = CookieSecurePolicy.SameAsRequest;
    }

    /// <summary>The cookie's name for the request named by <see cref="Use"/>: "__Host-" first when the cookie is Secure.</summary>
    public override string? Name
    {
        get => _hostPrefix && Current.Value is { } context && IsSecure(context) ? HostPrefix + base.Name : base.Name;
        set => base.Name = value;
    }

    /// <summary>Names the request whose cookies the following calls (in this async flow) read and write.</summary>
    public static void Use(HttpContext context) => Current.Value = context;

    public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
    {
        var options = base.Build(context, expiresFrom);
        var secure = IsSecure(context);
        // Plain HTTP elsewhere still gets Secure: the browser then never sends the cookie back over it.
        options.Secure = secure;
        if (!secure && options.SameSite == SameSiteMode.None)
        {
            options.SameSite = SameSiteMode.Lax;
        }

        return options;
    }

    private static bool IsSecure(HttpContext context) => context.Request.IsHttps || !IsLoopback(context.Request.Host);

    private static bool IsLoopback(HostString host) =>
        string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        IPAddress.TryParse(host.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
}
