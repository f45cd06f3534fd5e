using System.Text.RegularExpressions;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Bench;

/// <summary>
/// CNCF distribution 2.8.2 (Debian's docker-registry) on a free loopback port, filesystem storage in a temp folder,
/// its access log appended to a file so the harness can count every request it answered. Disposing stops it and
/// deletes the folder.
/// </summary>
internal sealed partial class DistributionProcess : IAsyncDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly ManagedProcess _process;
    private readonly string _root;

    private DistributionProcess(ManagedProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        HostPort = $"127.0.0.1:{port}";
    }

    public string HostPort { get; }

    private string LogPath => Path.Combine(_root, "output.log");

    public static async Task<DistributionProcess> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("bench-distribution-").FullName;
        var port = Azurite.FreePort();
        var config = Path.Combine(root, "config.yml");
        // Level error keeps the file to access-log lines (and errors); the access log is on stdout.
        await File.WriteAllTextAsync(config,
            $"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: false\nstorage:\n  filesystem:\n    rootdirectory: {Path.Combine(root, "data")}\nhttp:\n  addr: 127.0.0.1:{port}\n");
        // Through sh so the whole output goes to a file: the process wrapper keeps only a tail, and counting needs every line.
        var process = ManagedProcess.Start("/bin/sh", ["-c", $"exec {Binary} serve '{config}' >> '{Path.Combine(root, "output.log")}' 2>&1"], new Dictionary<string, string>());
        var distribution = new DistributionProcess(process, root, port);
        try
        {
            using var probe = new HttpClient();
            await process.WaitForHttpAsync(probe, new Uri($"http://{distribution.HostPort}/v2/"), TimeSpan.FromSeconds(30));
        }
        catch
        {
            await distribution.DisposeAsync();
            throw;
        }

        return distribution;
    }

    /// <summary>Requests answered so far (access-log lines), with the request line of each.</summary>
    public IReadOnlyList<string> Requests() =>
        [.. File.ReadLines(LogPath).Select(l => AccessLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    /// <summary>Common log format: <c>127.0.0.1 - - [date] "GET /v2/ HTTP/1.1" 200 2 "" "agent"</c>.</summary>
    [GeneratedRegex("""^\S+ \S+ \S+ \[[^\]]+\] "([A-Z]+ \S+)""")]
    private static partial Regex AccessLine();

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder; never fail the run over it.
        }
    }
}
