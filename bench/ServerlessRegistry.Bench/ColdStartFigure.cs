using System.Diagnostics;
using ServerlessRegistry.Testing;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figure 8: from exec to the first 200 on GET /v2/, for the published registry and for an empty ASP.NET Core
/// app published the same way. Runs alternate; medians are compared.
/// </summary>
internal static class ColdStartFigure
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        if (o.RegistryExe is null || o.EmptyAppExe is null)
        {
            ctx.Report.Add(new FigureRow(8, "Cold start vs empty ASP.NET Core app", "skipped: needs both published apps (scripts/bench.sh)", "≤ 1.3×", null));
            return;
        }

        var azurite = await Azurite.GetAsync();
        using var probe = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
        var registry = new List<double>();
        var empty = new List<double>();
        // One untimed start of each, so both find their files in the page cache.
        for (var i = -1; i < o.ColdStartRuns; i++)
        {
            var e = await StartAsync(o.EmptyAppExe, p => new Dictionary<string, string> { ["REGISTRY_PORT"] = p }, probe);
            var prefix = Azurite.NewPrefix();
            var r = await StartAsync(o.RegistryExe, p => RegistryTarget.Environment(azurite, prefix, int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)), probe);
            if (i >= 0)
            {
                empty.Add(e);
                registry.Add(r);
            }
        }

        var ratio = Stats.Median(registry) / Stats.Median(empty);
        ctx.Report.Raw($"Cold start, exec → first 200 on GET /v2/ (median of {o.ColdStartRuns}, alternating): registry {Fmt(Stats.Median(registry), 0)} ms [{string.Join(", ", registry.Select(x => Fmt(x, 0)))}], empty app {Fmt(Stats.Median(empty), 0)} ms [{string.Join(", ", empty.Select(x => Fmt(x, 0)))}]");
        ctx.Report.Add(new FigureRow(8, "Cold start (exec → first GET /v2/) vs empty ASP.NET Core app, both ReadyToRun", $"{Fmt(ratio)}×", "≤ 1.3×", ratio <= 1.3));
    }

    /// <summary>Milliseconds from Process.Start to the first successful GET /v2/.</summary>
    private static async Task<double> StartAsync(string exe, Func<string, Dictionary<string, string>> environment, HttpClient probe)
    {
        var port = Azurite.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        await using var process = ManagedProcess.Start(exe, [], environment(port));
        await process.WaitForHttpAsync(probe, new Uri($"http://127.0.0.1:{port}/v2/"), TimeSpan.FromSeconds(60));
        return watch.Elapsed.TotalMilliseconds;
    }
}
