using System.Diagnostics;
using System.Text;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>
/// CNCF distribution 2.8 (Debian's docker-registry) on a free loopback port with filesystem storage in a temp
/// folder and deletes enabled: the reference the interop tests are checked against. It has no referrers API.
/// </summary>
internal sealed class DistributionRegistry : IRegistryUnderTest
{
    private const string Binary = "/usr/bin/docker-registry";
    private readonly Process _process;
    private readonly string _root;
    private readonly StringBuilder _log;

    private DistributionRegistry(Process process, string root, StringBuilder log, int port)
    {
        _process = process;
        _root = root;
        _log = log;
        HostPort = $"127.0.0.1:{port}";
        Client = new HttpClient { BaseAddress = new Uri($"http://{HostPort}/") };
    }

    public string HostPort { get; }
    public HttpClient Client { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

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

        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        var process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start.");
        var log = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var registry = new DistributionRegistry(process, root, log, port);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await registry.AnswersAsync())
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                var output = registry.Log;
                await registry.DisposeAsync();
                throw new InvalidOperationException("docker-registry did not come up:\n" + output);
            }

            await Task.Delay(25);
        }

        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private async Task<bool> AnswersAsync()
    {
        try
        {
            using var response = await Client.GetAsync("v2/");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
