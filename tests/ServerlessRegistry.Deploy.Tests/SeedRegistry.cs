using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The standalone server in process (auth off, loopback) on a storage prefix the test chooses. Disposing stops it
/// and leaves the storage to the test.
/// </summary>
internal sealed class SeedRegistry : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SeedRegistry(WebApplication app)
    {
        _app = app;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = RegistryApp.BoundAddress(app) };
    }

    public HttpClient Client { get; }

    /// <param name="settings">Extra configuration, e.g. Registry:PublicUrl.</param>
    public static async Task<SeedRegistry> StartAsync(Azurite azurite, string prefix, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var app = RegistryApp.Build([], config =>
        {
            config.AddInMemoryCollection(azurite.RegistrySettings(prefix));
            config.AddInMemoryCollection(new Dictionary<string, string?> { ["Registry:Port"] = "0", ["Logging:LogLevel:Default"] = "Warning" });
            if (settings is not null)
            {
                config.AddInMemoryCollection(settings);
            }
        });
        await app.StartAsync();
        return new SeedRegistry(app);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
