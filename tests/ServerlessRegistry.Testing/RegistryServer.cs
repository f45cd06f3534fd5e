using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Testing;

/// <summary>
/// The registry program on real Kestrel (127.0.0.1, a free port) against the shared Azurite, with a storage
/// prefix of its own. Disposing stops the server and deletes everything stored under that prefix.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Azurite _azurite;

    private RegistryServer(WebApplication app, Azurite azurite, string prefix)
    {
        _app = app;
        _azurite = azurite;
        Prefix = prefix;
        BaseAddress = new Uri(RegistryApp.BoundAddress(app).ToString().TrimEnd('/') + "/");
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
    }

    public Uri BaseAddress { get; }
    public string HostPort => BaseAddress.Authority;
    public HttpClient Client { get; }
    public string Prefix { get; }
    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Extra configuration (e.g. "Registry:BlockSize").</param>
    /// <param name="services">Extra or replacement services (e.g. a storage request counter).</param>
    /// <param name="azurite">The storage to use; the shared instance when null.</param>
    public static async Task<RegistryServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null,
        Azurite? azurite = null)
    {
        azurite ??= await Azurite.GetAsync();
        var prefix = Azurite.NewPrefix();
        var app = RegistryApp.Build([], config =>
        {
            config.AddInMemoryCollection(azurite.RegistrySettings(prefix));
            config.AddInMemoryCollection(new Dictionary<string, string?> { ["Registry:Port"] = "0", ["Logging:LogLevel:Default"] = "Warning" });
            if (settings is not null)
            {
                config.AddInMemoryCollection(settings);
            }
        }, services);
        await app.StartAsync();
        return new RegistryServer(app, azurite, prefix);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await StorageCleanup.DeletePrefixAsync(_azurite, Prefix);
    }
}
