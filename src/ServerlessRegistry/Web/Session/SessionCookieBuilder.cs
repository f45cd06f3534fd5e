using System.Net;

namespace ServerlessRegistry.Web.Session;

/// <summary>
/// Cookies of the web interface (session, anti-forgery, sign-in correlation and nonce): HttpOnly, path "/", and Secure
/// on every request except plain HTTP to a loopback host (local mode and tests), where a Secure cookie would never
/// come back. A SameSite=None cookie that cannot be Secure falls back to Lax, which browsers require; on loopback the
/// identity provider's form post is same-site anyway.
/// </summary>
internal sealed class SessionCookieBuilder : CookieBuilder
{
    public SessionCookieBuilder(string name, SameSiteMode sameSite)
    {
        Name = name;
        SameSite = sameSite;
        HttpOnly = true;
        IsEssential = true;
        Path = "/";
        // Not Always: anti-forgery refuses to run on plain HTTP with that policy, loopback included. Build decides.
        SecurePolicy = CookieSecurePolicy.SameAsRequest;
    }

    public override CookieOptions Build(HttpContext context, DateTimeOffset expiresFrom)
    {
        var options = base.Build(context, expiresFrom);
        var plainLoopback = !context.Request.IsHttps && IsLoopback(context.Request.Host);
        // Plain HTTP elsewhere still gets Secure: the browser then never sends the cookie back over it.
        options.Secure = !plainLoopback;
        if (plainLoopback && options.SameSite == SameSiteMode.None)
        {
            options.SameSite = SameSiteMode.Lax;
        }

        return options;
    }

    private static bool IsLoopback(HostString host) =>
        string.Equals(host.Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        IPAddress.TryParse(host.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);
}
