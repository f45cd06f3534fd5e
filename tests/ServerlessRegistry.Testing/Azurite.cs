using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ServerlessRegistry.Testing;

/// <summary>
/// One Azurite process per test run, started from the repository's pinned node_modules on free ports with
/// in-memory persistence, and killed when the test process exits. Tests isolate themselves by prefix
/// (<see cref="NewPrefix"/>), not by instance. A test that stops storage starts a private instance instead
/// (<see cref="StartPrivateAsync"/>), which keeps its data on disk across a restart.
/// </summary>
public sealed class Azurite
{
    public const string AccountName = "devstoreaccount1";
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly Lazy<Task<Azurite>> Shared = new(StartAsync);
    private readonly TestProcess _process;
    private readonly (int Blob, int Queue, int Table) _ports;
    private readonly string? _location;

    private Azurite(TestProcess process, int blobPort, int queuePort, int tablePort, string? location)
    {
        _process = process;
        _ports = (blobPort, queuePort, tablePort);
        _location = location;
        BlobEndpoint = new Uri($"http://127.0.0.1:{blobPort}/{AccountName}");
        TableEndpoint = new Uri($"http://127.0.0.1:{tablePort}/{AccountName}");
        QueueEndpoint = new Uri($"http://127.0.0.1:{queuePort}/{AccountName}");
    }

    public Uri BlobEndpoint { get; }
    public Uri TableEndpoint { get; }
    public Uri QueueEndpoint { get; }

    /// <summary>Configuration that points the registry at this instance under <paramref name="prefix"/>.</summary>
    public Dictionary<string, string?> RegistrySettings(string prefix) => new()
    {
        ["Storage:AccountName"] = AccountName,
        ["Storage:AccountKey"] = AccountKey,
        ["Storage:BlobEndpoint"] = BlobEndpoint.ToString(),
        ["Storage:TableEndpoint"] = TableEndpoint.ToString(),
        ["Storage:QueueEndpoint"] = QueueEndpoint.ToString(),
        ["Storage:Prefix"] = prefix,
    };

    /// <summary>The same settings as environment variables, for a registry started as its own process.</summary>
    public Dictionary<string, string?> RegistryEnvironment(string prefix) =>
        RegistrySettings(prefix).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);

    /// <summary>The shared instance, started on first use.</summary>
    public static Task<Azurite> GetAsync() => Shared.Value;

    /// <summary>A fresh storage prefix: lower-case, starts with a letter, unique per call.</summary>
    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..11];

    /// <summary>
    /// A private instance that persists to <paramref name="location"/>, on free ports. Stop it with <see cref="Kill"/>
    /// and bring it back, with the same ports and data, with <see cref="RestartAsync"/>.
    /// </summary>
    public static Task<Azurite> StartPrivateAsync(string location) => StartAsync(location, FreePort(), FreePort(), FreePort());

    /// <summary>A new process on the same ports and data folder as this private instance, which must be stopped.</summary>
    public Task<Azurite> RestartAsync() =>
        StartAsync(_location ?? throw new InvalidOperationException("Only a private instance restarts."), _ports.Blob, _ports.Queue, _ports.Table);

    /// <summary>Whether this instance's process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Kills the process at once, as a crash would, and waits until it is gone.</summary>
    public void Kill() => _process.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>
    /// Becomes the command given after the parent's pid (so killing the started process kills it), with a watcher beside it
    /// that stops it within a second of the parent's end.
    /// </summary>
    private const string StopWithParent = """
        parent=$1; shift
        self=$$
        ( while kill -0 "$parent" 2>/dev/null && kill -0 "$self" 2>/dev/null; do sleep 1; done; kill "$self" 2>/dev/null ) &
        exec "$@"
        """;

    private static Task<Azurite> StartAsync() => StartAsync(null, FreePort(), FreePort(), FreePort());

    private static async Task<Azurite> StartAsync(string? persistTo, int blobPort, int queuePort, int tablePort)
    {
        var bin = RepoRoot.Combine("node_modules", ".bin", "azurite");
        if (!File.Exists(bin))
        {
            throw new InvalidOperationException($"Azurite is not installed at {bin}. Run 'npm ci' in the repository root (scripts/test.sh does).");
        }

        var location = persistTo ?? Directory.CreateTempSubdirectory("azurite-").FullName;
        string[] args =
        [
            "--blobHost", "127.0.0.1", "--blobPort", blobPort.ToString(),
            "--queueHost", "127.0.0.1", "--queuePort", queuePort.ToString(),
            "--tableHost", "127.0.0.1", "--tablePort", tablePort.ToString(),
            "--silent", "--disableTelemetry",
            // Private instances keep data in files (written every few seconds) so it survives a restart.
            .. persistTo is null ? ["--inMemoryPersistence"] : new[] { "--location", persistTo },
        ];

        // In-memory persistence writes no data files; anything else Azurite drops lands in a temp folder. The test host
        // is often ended without its exit handlers running, so a watcher beside Azurite stops it once this process is gone.
        var process = TestProcess.Start("bash", ["-c", StopWithParent, "azurite", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), bin, .. args],
            workingDirectory: location);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => process.Kill();
        try
        {
            await process.WaitUntilAsync(
                async () => await TestProcess.IsListeningAsync(blobPort) && await TestProcess.IsListeningAsync(queuePort)
                    && await TestProcess.IsListeningAsync(tablePort),
                TimeSpan.FromSeconds(60), "listen on its blob, queue and table ports");
        }
        catch
        {
            process.Kill();
            throw;
        }

        return new Azurite(process, blobPort, queuePort, tablePort, persistTo);
    }

    /// <summary>A port the OS considers free right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
