using System.Net;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figures 3 and 4: how fast the registry answers a blob GET with its redirect, and what the redirect costs a
/// whole download compared with fetching the same blob's SAS URL directly.
/// </summary>
internal static class PullFigures
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var repo = "bench/pull";
        var layer = OciClient.RandomBytes(o.PullSize);
        var digest = OciClient.Sha256(layer);
        await OciClient.PushStreamedAsync(ctx.Target.Client, repo, layer, digest);
        layer = null;

        // Figure 3: the 307 alone, on a warm connection.
        async Task Redirect()
        {
            using var response = await ctx.Target.Client.GetAsync($"/v2/{repo}/blobs/{digest}");
            OciClient.Expect(response, HttpStatusCode.TemporaryRedirect, "GET blob");
        }

        await Stats.LatenciesAsync(Math.Min(50, o.LatencyRequests), Redirect);
        var latencies = await Stats.LatenciesAsync(o.LatencyRequests, Redirect);
        var p50 = Stats.Percentile(latencies, 0.5);
        var p99 = Stats.Percentile(latencies, 0.99);
        ctx.Report.Raw($"Blob GET → 307 ({ctx.Target.Kind}, {o.LatencyRequests} sequential requests on one connection): p50 {Fmt(p50)} ms, p99 {Fmt(p99)} ms, max {Fmt(latencies.Max())} ms");
        ctx.Report.Add(new FigureRow(3, "Blob GET answered with its 307: p50 / p99", $"{Fmt(p50)} ms / {Fmt(p99)} ms", "p50 ≤ 5 ms", p50 <= 5));

        // Figure 4: the same blob through the registry's redirect, and straight from a SAS URL minted beforehand.
        Uri direct;
        using (var response = await ctx.Target.Client.GetAsync($"/v2/{repo}/blobs/{digest}"))
        {
            direct = response.Headers.Location!;
        }

        // Paired and alternated (A B, B A, …): each pair shares the machine's state of the moment, and the median of
        // the pairs' ratios ignores the pairs a neighbour's burst or an Azurite GC pause happened to hit.
        var pairs = new List<(double Direct, double Redirect)>();
        for (var r = 0; r < o.PullRepeats; r++)
        {
            double d = 0, v = 0;
            for (var k = 0; k < 2; k++)
            {
                if ((k + r) % 2 == 0)
                {
                    d = (await Stats.TimeAsync(() => OciClient.DownloadAsync(ctx.Storage, direct))).TotalSeconds;
                }
                else
                {
                    v = (await Stats.TimeAsync(() => OciClient.PullBlobAsync(ctx.Target.Client, ctx.Storage, repo, digest))).TotalSeconds;
                }
            }

            pairs.Add((d, v));
        }

        var mib = o.PullSize / Stats.MiB;
        var ratio = Stats.Median(pairs.Select(p => p.Direct / p.Redirect));
        ctx.Report.Raw($"Download {mib:F0} MiB ({o.PullRepeats} alternating pairs): direct SAS GET median {Fmt(mib / Stats.Median(pairs.Select(p => p.Direct)), 0)} MiB/s (best {Fmt(mib / pairs.Min(p => p.Direct), 0)}), registry GET + 307 + SAS GET median {Fmt(mib / Stats.Median(pairs.Select(p => p.Redirect)), 0)} MiB/s (best {Fmt(mib / pairs.Min(p => p.Redirect), 0)}); per-pair ratios {string.Join(", ", pairs.Select(p => Fmt(p.Direct / p.Redirect)))}");
        ctx.Report.Add(new FigureRow(4, $"Layer download through the redirect vs direct SAS ({PushFigures.SizeLabel(o.PullSize)}), median of paired ratios", $"{Fmt(ratio)}×", "≥ 0.95×", ratio >= 0.95));
        await ctx.Target.DeleteContentAsync();
    }
}
