using System.Globalization;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Policies;
using ServerlessRegistry.Testing;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figure 20: what a quota costs a push. One in-process registry holds a quota rule over one repository and none over
/// another; the same image shape (a small config and several 1 MiB layers, fresh bytes every time) is pushed to each
/// in turn, alternating which goes first; the figure is the median of the rounds' time ratios (client-observed). The
/// quota's cost is its storage calls, counted for one push each way: per blob and manifest a counter replace and a
/// charge-row insert, sent together; an upload start reads nothing when the counter was seen within seconds.
/// </summary>
internal static class QuotaFigure
{
    private const int Layers = 4;

    public static async Task RunAsync(BenchContext ctx)
    {
        var counter = new StorageCallCounter();
        await using var server = await RegistryServer.StartAsync(services: s => s.AddSingleton<HttpPipelinePolicy>(counter));
        await MeasureAsync(ctx, server, counter);
    }

    private static async Task MeasureAsync(BenchContext ctx, RegistryServer server, StorageCallCounter counter)
    {
        var (covered, free) = ("bench/quota/app", "bench/free/app");
        await server.Services.GetRequiredService<PolicyStore>().PutAsync(new QuotaRule("bench-quota", "bench/quota/**", 1L << 40), default);
        server.Services.GetRequiredService<PolicyCache>().Invalidate();
        // Quick runs (the smoke test) only show the figure works: small layers, few rounds.
        var (rounds, layerSize) = ctx.Options.IsQuick ? (2, 64 * 1024) : (40, 1024 * 1024);
        var push = (string repository) => Stats.TimeAsync(() => OciClient.PushImageAsync(server.Client, repository, "latest",
            [.. Enumerable.Range(0, Layers).Select(_ => OciClient.RandomBytes(layerSize))]));
        for (var i = 0; i < (ctx.Options.IsQuick ? 1 : 2); i++)
        {
            await push(covered);
            await push(free);
        }

        // Storage calls of one push each way (the statistics recount a push schedules is left to finish first).
        var stats = server.Services.GetRequiredService<Core.Registry.RepositoryStats>();
        var calls = new long[2];
        foreach (var (index, repository) in new[] { (0, covered), (1, free) })
        {
            await stats.WhenIdleAsync(repository);
            calls[index] = await counter.CountAsync(() => push(repository));
            await stats.WhenIdleAsync(repository);
        }

        var withQuota = new List<double>();
        var without = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            // Alternating which goes first, so a slow stretch of the machine falls on both.
            foreach (var quota in r % 2 == 0 ? new[] { true, false } : [false, true])
            {
                (quota ? withQuota : without).Add((await push(quota ? covered : free)).TotalMilliseconds);
            }
        }

        // The figure is the median of each round's ratio: the two pushes of a round ran side by side, so a busy
        // machine slows both, where the ratio of the two medians would compare different stretches of time.
        var (q50, f50) = (Stats.Median(withQuota), Stats.Median(without));
        var ratio = Stats.Median(withQuota.Zip(without, (q, f) => q / f));
        var used = (await server.Services.GetRequiredService<Policies.Quotas.QuotaLedger>().ReadAsync(
            new QuotaRule("bench-quota", "bench/quota/**", 1L << 40), default)).UsedBytes;
        ctx.Report.Raw($"Push of a {Layers} × {layerSize / 1024} KiB image ({rounds} each, in-process, alternating): with a quota p50 {Fmt(q50)} ms, " +
            $"without p50 {Fmt(f50)} ms, median of the rounds' ratios {ratio.ToString("F3", CultureInfo.InvariantCulture)}; storage calls per push {calls[0]} with, {calls[1]} without; " +
            $"the quota counted {used / Stats.MiB:F1} MiB");
        ctx.Report.Add(new FigureRow(20, $"Push latency with a quota rule vs without ({Layers} × {layerSize / 1024} KiB layers; median of paired ratios)",
            $"{Fmt(q50)} ms vs {Fmt(f50)} ms ({ratio.ToString("F3", CultureInfo.InvariantCulture)}×)", "≤ 1.05×", ratio <= 1.05));
    }
}
