using Microsoft.AspNetCore.HttpOverrides;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// Makes Request.Scheme and Request.Host the public ones and turns relative Location values into absolute URLs on
/// that host, when the public host is known: from Registry:PublicUrl, or from a trusted proxy's X-Forwarded-Host
/// (the forwarded-headers middleware, Kestrel's or the Functions worker's, then leaves X-Original-Host behind).
/// Otherwise (local, tests) Location values stay relative, as the spec allows.
/// </summary>
internal sealed class PublicAddress(Uri? publicUrl)
{
    private static readonly string OriginalHost = new ForwardedHeadersOptions().OriginalHostHeaderName;

    private static readonly Func<object, Task> MakeLocationAbsolute = state =>
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        if (headers.Location is { Count: 1 } values && values[0] is { Length: > 0 } location
            && location[0] == '/' && !location.StartsWith("//", StringComparison.Ordinal))
        {
            // Location values are rooted paths ("/v2/…"): the app is never mounted under a base path, and inside the
            // /v2 branch PathBase would repeat the prefix.
            var request = context.Request;
            headers.Location = $"{request.Scheme}://{request.Host.ToUriComponent()}{location}";
        }

        return Task.CompletedTask;
    };

    /// <summary>The configured public base URL, or null when requests name it themselves.</summary>
    public Uri? PublicUrl => publicUrl;

    /// <summary>Runs before anything reads the request's host: the auth realm and Location values are built from it.</summary>
    public void Apply(HttpContext context)
    {
        if (publicUrl is not null)
        {
            // A configured public URL (a custom domain, or the app's host name in Azure) wins over whatever a proxy says.
            context.Request.Scheme = publicUrl.Scheme;
            context.Request.Host = HostString.FromUriComponent(publicUrl);
        }

        if (publicUrl is not null || context.Request.Headers.ContainsKey(OriginalHost))
        {
            context.Response.OnStarting(MakeLocationAbsolute, context);
        }
    }
}
