using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>Our registry (in-process Kestrel on the shared Azurite, own storage prefix), seen as a registry under test.</summary>
internal sealed class ServerlessRegistryUnderTest(RegistryServer server) : IRegistryUnderTest
{
    public string HostPort => server.HostPort;
    public HttpClient Client => server.Client;
    public string Log => "";

    public static async Task<IRegistryUnderTest> StartAsync() => new ServerlessRegistryUnderTest(await RegistryServer.StartAsync());

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
