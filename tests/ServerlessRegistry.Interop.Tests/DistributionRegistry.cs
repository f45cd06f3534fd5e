using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>
/// CNCF distribution 2.8 (Debian's docker-registry) on a free loopback port with filesystem storage in a temp
/// folder and deletes enabled: the reference the interop tests are checked against. It has no referrers API.
/// </summary>
internal sealed class DistributionRegistry : IRegistryUnderTest
{
    private const string Binary = "/usr/bin/docker-registry";
    private readonly TestProcess _process;
    private readonly string _root;

    private DistributionRegistry(TestProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        HostPort = $"127.0.0.1:{port}";
        Client = new HttpClient { BaseAddress = new Uri($"http://{HostPort}/") };
    }

    public string HostPort { get; }
    public HttpClient Client { get; }

    public string Log => _process.Output;

    public static async Task<IRegistryUnderTest> StartAsync()
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: apt-get install -y docker-registry");
        }

        var root = Directory.CreateTempSubdirectory("interop-distribution-").FullName;
        var port = Azurite.FreePort();
        var config = Path.Combine(root, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {Path.Combine(root, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            """);

        var registry = new DistributionRegistry(TestProcess.Start(Binary, ["serve", config]), root, port);
        try
        {
            await registry._process.WaitForHttpAsync(registry.Client, new Uri(registry.Client.BaseAddress!, "v2/"), TimeSpan.FromSeconds(20));
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }

        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
