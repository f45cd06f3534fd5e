using System.Globalization;
using System.Text;

namespace ServerlessRegistry.Bench;

/// <summary>One line of the results table.</summary>
internal sealed record FigureRow(int Number, string Figure, string Value, string Goal, bool? Met);

/// <summary>
/// The table a run prints, plus the raw numbers behind each ratio. Writing RESULTS.md keeps whatever follows
/// <see cref="AnalysisMarker"/> in the old file, so the hand-written analysis survives a re-run.
/// </summary>
internal sealed class BenchReport
{
    public const string AnalysisMarker = "<!-- analysis: kept across runs -->";

    private readonly List<FigureRow> _rows = [];
    private readonly List<string> _raw = [];

    public IReadOnlyList<FigureRow> Rows => _rows;

    /// <summary>The raw numbers so far, in the order the figures reported them.</summary>
    public IReadOnlyList<string> RawLines
    {
        get
        {
            lock (_raw)
            {
                return [.. _raw];
            }
        }
    }

    public string LoadAtStart { get; } = LoadAverage();

    public void Add(FigureRow row)
    {
        lock (_rows)
        {
            _rows.Add(row);
        }
    }

    public void Raw(string line)
    {
        lock (_raw)
        {
            _raw.Add(line);
        }
    }

    public static string Fmt(double value, int decimals = 2) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public string Table()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| # | Figure | Value | Goal | Met |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var row in _rows.OrderBy(r => r.Number))
        {
            var met = row.Met switch { true => "yes", false => "**no**", null => "—" };
            sb.Append(CultureInfo.InvariantCulture, $"| {row.Number} | {row.Figure} | {row.Value} | {row.Goal} | {met} |").AppendLine();
        }

        return sb.ToString();
    }

    public string Markdown(BenchOptions options, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Benchmark results").AppendLine();
        sb.AppendLine("Written by `scripts/bench.sh`" + (options.IsQuick ? " --quick (small sizes: not a measurement)" : "") + ". Every figure is a ratio or count measured side by side in this one run.").AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"- Date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; run took {elapsed.TotalMinutes:F1} min").AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"- Machine: {CpuModel()}, {Environment.ProcessorCount} cores, {MemoryGiB()} GiB memory, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}").AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"- Load average (1/5/15 min) at start: {LoadAtStart}; at end: {LoadAverage()}").AppendLine();
        sb.AppendLine("- Storage: Azurite (pinned in package-lock.json), in-memory persistence, on loopback; registry published ReadyToRun (linux-x64, framework-dependent) unless noted").AppendLine();
        sb.AppendLine(Table());
        sb.AppendLine("## Raw numbers").AppendLine();
        lock (_raw)
        {
            foreach (var line in _raw)
            {
                sb.Append("- ").AppendLine(line);
            }
        }

        return sb.ToString();
    }

    public void Write(string path, BenchOptions options, TimeSpan elapsed)
    {
        var kept = "";
        if (File.Exists(path))
        {
            var old = File.ReadAllText(path);
            var at = old.IndexOf(AnalysisMarker, StringComparison.Ordinal);
            kept = at >= 0 ? old[at..] : "";
        }

        File.WriteAllText(path, Markdown(options, elapsed) + Environment.NewLine + (kept.Length > 0 ? kept : AnalysisMarker + Environment.NewLine));
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private static string MemoryGiB()
    {
        try
        {
            var kib = long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            return Fmt(kib / 1024.0 / 1024.0, 1);
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
