using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ServerlessRegistry.Testing;

/// <summary>What a finished process printed and how it ended. Stdout is kept as bytes: manifests are digested over them.</summary>
public sealed record ProcessResult(string CommandLine, int ExitCode, byte[] StdOut, string StdErr)
{
    public string StdOutText => Encoding.UTF8.GetString(StdOut);

    /// <summary>Everything printed, for failure messages.</summary>
    public string Describe() => $"{CommandLine} (exit code {ExitCode})\n--- stdout ---\n{StdOutText}\n--- stderr ---\n{StdErr}";
}

/// <summary>
/// The one way tests and the bench start external processes (emulators, peer registries, command-line tools).
/// <see cref="RunAsync"/> runs a command to its end within a time bound; <see cref="Start"/> starts a server, whose
/// output is drained so it never blocks on a full pipe (the last lines are kept for error messages), and
/// <see cref="DisposeAsync"/> kills its whole process tree. Thread-safe.
/// </summary>
public sealed class TestProcess : IAsyncDisposable
{
    private const int TailLimit = 16_000;
    private readonly Process _process;
    private readonly StringBuilder _tail = new();

    private TestProcess(Process process, string commandLine)
    {
        _process = process;
        CommandLine = commandLine;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string CommandLine { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The last lines the process printed on stdout and stderr.</summary>
    public string Output
    {
        get
        {
            lock (_tail)
            {
                return _tail.ToString();
            }
        }
    }

    /// <summary>Starts a long-running process; stdin is closed.</summary>
    public static TestProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = StartInfo(file, args, environment, workingDirectory);
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + Describe(start));
        process.StandardInput.Close();
        return new TestProcess(process, Describe(start));
    }

    /// <summary>
    /// Runs a command to its end with stdin closed. Past <paramref name="timeout"/> (90 s unless given) it kills the
    /// process tree and throws with what it printed. A non-zero exit is returned, not thrown.
    /// </summary>
    public static async Task<ProcessResult> RunAsync(
        string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var start = StartInfo(file, args, environment, workingDirectory);
        var commandLine = Describe(start);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + commandLine);
        process.StandardInput.Close();
        using var stdout = new MemoryStream();
        var stdoutTask = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderrTask = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"Timed out: {commandLine}\n--- stderr ---\n{await stderrTask}");
        }

        await stdoutTask;
        return new ProcessResult(commandLine, process.ExitCode, stdout.ToArray(), await stderrTask);
    }

    /// <summary>Polls <paramref name="ready"/> until it holds; throws with the output if the process exits or the time runs out.</summary>
    public async Task WaitUntilAsync(Func<Task<bool>> ready, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await ready())
        {
            if (_process.HasExited || clock.Elapsed > timeout)
            {
                throw new InvalidOperationException($"{CommandLine} did not {what} within {timeout.TotalSeconds:0} s:\n{Output}");
            }

            // Short: the bench times cold starts with this wait.
            await Task.Delay(5);
        }
    }

    /// <summary>Waits until the process prints a line containing <paramref name="text"/>.</summary>
    public Task WaitForLineAsync(string text, TimeSpan timeout) =>
        WaitUntilAsync(() => Task.FromResult(Output.Contains(text, StringComparison.Ordinal)), timeout, $"print '{text}'");

    /// <summary>Waits until something accepts TCP connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public Task WaitForPortAsync(int port, TimeSpan timeout) => WaitUntilAsync(() => IsListeningAsync(port), timeout, $"listen on port {port}");

    /// <summary>Waits until a GET of <paramref name="url"/> answers 2xx.</summary>
    public Task WaitForHttpAsync(HttpClient client, Uri url, TimeSpan timeout) => WaitUntilAsync(async () =>
    {
        try
        {
            using var response = await client.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, timeout, $"answer {url}");

    public static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Kills the process tree at once (safe to call from a process-exit handler, and more than once).</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment, string? workingDirectory)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? "",
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return start;
    }

    private static string Describe(ProcessStartInfo start) => start.FileName + " " + string.Join(' ', start.ArgumentList);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            if (_tail.Length > TailLimit)
            {
                _tail.Remove(0, TailLimit / 2);
            }

            _tail.AppendLine(line);
        }
    }
}
