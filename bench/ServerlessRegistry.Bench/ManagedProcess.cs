using System.Globalization;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Bench;

/// <summary>
/// A child process the harness started (a published registry, the empty app, the peer registry), started and killed
/// by <see cref="TestProcess"/>, with what the figures read about it from /proc.
/// </summary>
internal sealed class ManagedProcess : IAsyncDisposable
{
    private readonly TestProcess _process;

    private ManagedProcess(TestProcess process) => _process = process;

    public int Id => _process.Id;

    public static ManagedProcess Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string> environment) =>
        new(TestProcess.Start(file, args, environment));

    /// <summary>Polls <paramref name="url"/> until it answers 200; fails if the process exits or the deadline passes.</summary>
    public Task WaitForHttpAsync(HttpClient client, Uri url, TimeSpan timeout) => _process.WaitForHttpAsync(client, url, timeout);

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

    public string Tail() => _process.Output;

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
