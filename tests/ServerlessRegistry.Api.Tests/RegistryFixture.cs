using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>One registry server per test class (its own storage prefix), stopped and cleaned up afterwards.</summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public RegistryServer Server { get; private set; } = null!;
    public HttpClient Client => Server.Client;

    public async Task InitializeAsync() =>
        // Small blocks so that ordinary test bodies span several blocks and several blocks in flight.
        Server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["Registry:BlockSize"] = "65536" });

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
