using System.Diagnostics;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Runs every figure against one Azurite (started here, stopped when the process exits) and one registry under
/// test, and prints the table. A figure that fails is reported as such; the others still run.
/// </summary>
internal static class BenchHarness
{
    public static async Task<BenchReport> RunAsync(BenchOptions options, TextWriter log)
    {
        var report = new BenchReport();
        var watch = Stopwatch.StartNew();
        await using var target = options.RegistryExe is { } exe
            ? await RegistryTarget.PublishedAsync(exe)
            : await RegistryTarget.InProcessAsync();
        using var ctx = new BenchContext(options, report, target);
        (int Number, string Name, Func<BenchContext, Task> Run)[] figures =
        [
            (6, "resumable hash", HashFigure.RunAsync),
            (8, "cold start", ColdStartFigure.RunAsync),
            (1, "push (1, 2, 7, 12)", PushFigures.RunAsync),
            (3, "pull (3, 4)", PullFigures.RunAsync),
            (5, "storage calls (5, 9)", CountFigures.RunAsync),
            (10, "parallel", ParallelFigure.RunAsync),
            (11, "peer", PeerFigure.RunAsync),
            (13, "mirror (13-16)", MirrorFigures.RunAsync),
            (17, "web pages (17, 18)", WebFigures.RunAsync),
            (19, "retention", RetentionFigure.RunAsync),
            (20, "quota push", QuotaFigure.RunAsync),
            (21, "events (21, 22)", EventFigures.RunAsync),
        ];
        foreach (var (number, name, run) in figures.Where(f => options.Only.Count == 0 || options.Only.Any(o => f.Name.Contains(o, StringComparison.Ordinal))))
        {
            var step = Stopwatch.StartNew();
            try
            {
                await run(ctx);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                report.Add(new FigureRow(number, name, "FAILED: " + e.Message.ReplaceLineEndings(" "), "—", false));
            }

            await log.WriteLineAsync($"bench: {name} done in {step.Elapsed.TotalSeconds:F1} s");
        }

        await log.WriteLineAsync();
        await log.WriteLineAsync(report.Table());
        foreach (var line in report.RawLines)
        {
            await log.WriteLineAsync("- " + line);
        }

        if (options.ResultsPath is { } path)
        {
            report.Write(path, options, watch.Elapsed);
            await log.WriteLineAsync("bench: wrote " + path);
        }

        return report;
    }
}
