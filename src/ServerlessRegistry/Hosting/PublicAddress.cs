namespace ServerlessRegistry.Hosting;

/// <summary>
/// Makes Request.Scheme and Request.Host the public ones (the auth realm is built from them) and turns relative
/// Location values into absolute URLs on that host, when the public host is known: from Registry:PublicUrl, or
/// from a proxy's X-Forwarded-Host. Otherwise (local, tests) Location values stay relative, as the spec allows.
/// </summary>
internal sealed class PublicAddress(Uri? publicUrl)
{
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

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (publicUrl is not null)
        {
            // A configured public URL (a custom domain) wins over whatever the proxy says.
            context.Request.Scheme = publicUrl.Scheme;
            context.Request.Host = HostString.FromUriComponent(publicUrl);
        }

        if (publicUrl is not null || ProxiedRequest.HasForwardedHost(context))
        {
            context.Response.OnStarting(MakeLocationAbsolute, context);
        }

        return next(context);
    }
}
