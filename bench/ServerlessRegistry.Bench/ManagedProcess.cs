using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ServerlessRegistry.Bench;

/// <summary>
/// A child process the harness started (a published registry, the empty app, the peer registry). Its output is
/// drained so it never blocks on a full pipe; the last lines are kept for error messages. Disposing kills it.
/// </summary>
internal sealed class ManagedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _tail = new();

    private ManagedProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public static ManagedProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new ManagedProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start " + file));
    }

    /// <summary>Polls <paramref name="url"/> until it answers 200; fails if the process exits or the deadline passes.</summary>
    public async Task WaitForHttpAsync(HttpClient client, Uri url, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(url);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (_process.HasExited || deadline.Elapsed > timeout)
            {
                throw new InvalidOperationException($"{_process.StartInfo.FileName} did not answer {url}: {Tail()}");
            }

            await Task.Delay(2);
        }
    }

    /// <summary>A field of /proc/&lt;pid&gt;/status in KiB (VmHWM, VmRSS), or null when it cannot be read.</summary>
    public long? StatusKiB(string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{Id}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>User + system CPU seconds the process has used so far (/proc/&lt;pid&gt;/stat, 100 ticks a second).</summary>
    public double CpuSeconds()
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command name: state is field 3, utime 14 and stime 15 (1-based in proc(5)).
            return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Resets the peak RSS (VmHWM) to the current RSS, so a peak can be taken over one operation.</summary>
    public bool ResetPeak()
    {
        try
        {
            File.WriteAllText($"/proc/{Id}/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public string Tail()
    {
        lock (_tail)
        {
            return _tail.ToString();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            if (_tail.Length > 8000)
            {
                _tail.Remove(0, 4000);
            }

            _tail.AppendLine(line);
        }
    }
}
