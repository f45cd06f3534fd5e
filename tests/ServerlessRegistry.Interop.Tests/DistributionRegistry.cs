using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>
/// CNCF distribution 2.8 (Debian's docker-registry, <see cref="DistributionUpstream"/>: filesystem storage in a temp
/// folder, deletes enabled) as the reference the interop tests are checked against. It has no referrers API.
/// </summary>
internal sealed class DistributionRegistry(DistributionUpstream distribution) : IRegistryUnderTest
{
    public string HostPort => distribution.HostPort;
    public HttpClient Client => distribution.Client;
    public string Log => distribution.Log;

    public static async Task<IRegistryUnderTest> StartAsync() => new DistributionRegistry(await DistributionUpstream.StartAsync());

    public ValueTask DisposeAsync() => distribution.DisposeAsync();
}
