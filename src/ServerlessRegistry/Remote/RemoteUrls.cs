using System.Net;

namespace ServerlessRegistry.Remote;

/// <summary>
/// Where the registry may send credentials, signatures or content in clear: only to this machine. One rule for
/// replication destinations, stored cache rules and webhooks, and the command line's --registry.
/// </summary>
internal static class RemoteUrls
{
    /// <summary>A host on this machine: localhost or a loopback address (IPv4 or IPv6, bracketed or not).</summary>
    public static bool IsLoopback(Uri url) =>
        url.IsLoopback || url.Host is "localhost" || IPAddress.TryParse(url.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip);

    /// <summary>https, or http to a loopback host (a test or a sidecar): credentials and signatures never cross a network in clear.</summary>
    public static bool IsSecureOrLoopback(Uri url) =>
        url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp && IsLoopback(url);
}
