namespace ServerlessRegistry.Hosting;

/// <summary>
/// Whether a request came through a proxy (the Functions host's YARP forwarder adds X-Forwarded-*), recorded before
/// the forwarded-headers middleware consumes those headers. The host's own invocations (timers) carry none.
/// </summary>
internal static class ProxiedRequest
{
    private static readonly object Key = new();

    private static readonly string[] Headers = ["X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "Forwarded"];

    /// <summary>What the raw request said about proxies.</summary>
    internal sealed record Marks(bool Proxied, bool ForwardedHost);

    public static Task ClassifyAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Request.Headers;
        var proxied = Array.Exists(Headers, headers.ContainsKey);
        context.Items[Key] = new Marks(proxied, headers.ContainsKey("X-Forwarded-Host"));
        return next(context);
    }

    /// <summary>True when the request carried any forwarding header (public traffic under the host).</summary>
    public static bool IsProxied(HttpContext context) => Get(context).Proxied;

    /// <summary>True when a proxy named the public host, so absolute URLs can be built from Request.Host.</summary>
    public static bool HasForwardedHost(HttpContext context) => Get(context).ForwardedHost;

    private static Marks Get(HttpContext context) => context.Items.TryGetValue(Key, out var value) && value is Marks marks ? marks : new(false, false);
}
