using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Bench;

/// <summary>
/// A registry to measure: the published program as its own process (so RSS and start-up are its own), or the
/// program in this process (for storage-call counting through DI, and for quick runs without a publish).
/// Disposing stops it and deletes everything under its storage prefix.
/// </summary>
internal sealed class RegistryTarget : IAsyncDisposable
{
    private readonly RegistryServer? _server;
    private readonly Azurite _azurite;

    private RegistryTarget(Azurite azurite, string prefix, Uri baseAddress, RegistryServer? server, ManagedProcess? process)
    {
        _azurite = azurite;
        _server = server;
        Process = process;
        Prefix = prefix;
        BaseAddress = baseAddress;
        Client = NewClient(baseAddress);
        Blobs = AzureStorage.CreateBlobStore(BlobTestSupport.EmulatorOptions(azurite), new StorageLayout(prefix), TimeProvider.System);
    }

    public Uri BaseAddress { get; }
    public string HostPort => BaseAddress.Authority;
    public string Prefix { get; }

    /// <summary>Talks to the registry; never follows redirects (the harness follows them itself).</summary>
    public HttpClient Client { get; }

    /// <summary>The published process, or null when the registry runs in this process.</summary>
    public ManagedProcess? Process { get; }

    /// <summary>The same container the registry writes, for the raw baseline and for clean-up.</summary>
    public IBlobStore Blobs { get; }

    public string Kind => Process is null ? "in-process" : "published process";

    /// <summary>
    /// Waits until the in-process registry has no statistics recount of <paramref name="repository"/> running: a push
    /// schedules one off the request path, and a call count taken meanwhile would include its reads and write.
    /// </summary>
    public Task WhenStatsIdleAsync(string repository) =>
        _server?.Services.GetRequiredService<ServerlessRegistry.Core.Registry.RepositoryStats>().WhenIdleAsync(repository) ?? Task.CompletedTask;

    /// <summary>Completes when the pull times recorded so far are written (the first pull of a day costs a read off the request path).</summary>
    public Task WhenPullsRecordedAsync() =>
        _server?.Services.GetRequiredService<ServerlessRegistry.Core.Registry.PullRecorder>().WhenIdleAsync() ?? Task.CompletedTask;

    /// <summary>Azurite's blob endpoint: a 307 to this host is a redirect to the registry's own storage.</summary>
    public Uri StorageEndpoint => _azurite.BlobEndpoint;

    /// <param name="services">Extra or replacement services (e.g. a storage request counter).</param>
    /// <param name="settings">Extra configuration in its ':' form (e.g. "Mirror:Rules:0:Local").</param>
    public static async Task<RegistryTarget> InProcessAsync(Action<IServiceCollection>? services = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var server = await RegistryServer.StartAsync(settings, services);
        return new RegistryTarget(await Azurite.GetAsync(), server.Prefix, server.BaseAddress, server, null);
    }

    /// <summary>Starts the published registry on a free port with its own prefix, as scripts/run-local.sh does.</summary>
    /// <param name="settings">Extra configuration in its ':' form, passed as environment variables ("Mirror__Rules__0__Local").</param>
    public static async Task<RegistryTarget> PublishedAsync(string exe, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var azurite = await Azurite.GetAsync();
        var prefix = Azurite.NewPrefix();
        var port = Azurite.FreePort();
        var environment = Environment(azurite, prefix, port);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value ?? "";
        }

        var process = ManagedProcess.Start(exe, [], environment);
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        using var probe = new HttpClient();
        await process.WaitForHttpAsync(probe, new Uri(baseAddress, "/v2/"), TimeSpan.FromSeconds(60));
        return new RegistryTarget(azurite, prefix, baseAddress, null, process);
    }

    /// <summary>The environment the published registry reads (the same variables as scripts/run-local.sh).</summary>
    public static Dictionary<string, string> Environment(Azurite azurite, string prefix, int port)
    {
        var environment = azurite.RegistryEnvironment(prefix).ToDictionary(kv => kv.Key, kv => kv.Value!);
        environment["REGISTRY_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        environment["Logging__LogLevel__Default"] = "Warning";
        return environment;
    }

    /// <summary>
    /// The registry's block size and parallelism: its defaults, or Registry__BlockSize / Registry__BlocksInFlight
    /// from this process's environment (which the published registry inherits), so the raw baseline always matches.
    /// </summary>
    public static RegistryOptions Tuning()
    {
        var tuning = new RegistryOptions();
        if (int.TryParse(System.Environment.GetEnvironmentVariable("Registry__BlockSize"), CultureInfo.InvariantCulture, out var size))
        {
            tuning.BlockSize = size;
        }

        if (int.TryParse(System.Environment.GetEnvironmentVariable("Registry__BlocksInFlight"), CultureInfo.InvariantCulture, out var inFlight))
        {
            tuning.BlocksInFlight = inFlight;
        }

        return tuning;
    }

    public static HttpClient NewClient(Uri? baseAddress = null) => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = 256,
        UseCookies = false,
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromMinutes(10),
    };

    /// <summary>Deletes every committed blob the registry and the baseline wrote, so Azurite's memory stays flat.</summary>
    public async Task DeleteContentAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Blobs.ListAsync("", CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        foreach (var name in names)
        {
            await Blobs.DeleteAsync(name, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
            return;
        }

        if (Process is not null)
        {
            await Process.DisposeAsync();
        }

        await StorageCleanup.DeletePrefixAsync(_azurite, Prefix);
    }
}
