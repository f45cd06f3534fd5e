using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Testing;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figures 21 and 22: what events cost a push, and how soon they arrive. One in-process registry has three webhooks over
/// one repository and none over another; the same image shape is pushed to each in turn, alternating which goes first
/// (21: the median of the rounds' time ratios, client-observed). For every push to the watched repository, the time from
/// the manifest PUT's answer to each webhook receiving its event (22: p50 and p99 over all deliveries). The receiver is a
/// loopback Kestrel answering 200 at once; delivery is the standalone server's loop, woken by its own enqueue.
/// </summary>
internal static class EventFigures
{
    private const int Layers = 4;
    private const int Hooks = 3;
    private const string Watched = "bench/hooked/app";
    private const string Free = "bench/free/app";

    public static async Task RunAsync(BenchContext ctx)
    {
        await using var receiver = await Receiver.StartAsync();
        var settings = new Dictionary<string, string?>();
        for (var i = 0; i < Hooks; i++)
        {
            settings[$"Events:Webhooks:{i}:Name"] = "bench" + i;
            settings[$"Events:Webhooks:{i}:Url"] = $"{receiver.Address}hook/{i}";
            settings[$"Events:Webhooks:{i}:Secret"] = "bench-secret";
            settings[$"Events:Webhooks:{i}:Repositories:0"] = "bench/hooked/**";
        }

        await using var server = await RegistryServer.StartAsync(settings);
        var (rounds, layerSize) = ctx.Options.IsQuick ? (2, 64 * 1024) : (40, 1024 * 1024);
        var delivery = new List<double>();
        async Task<double> PushAsync(string repository)
        {
            var watch = Stopwatch.StartNew();
            var digest = await OciClient.PushImageAsync(server.Client, repository, "latest",
                [.. Enumerable.Range(0, Layers).Select(_ => OciClient.RandomBytes(layerSize))]);
            var answered = Stopwatch.GetTimestamp();
            var elapsed = watch.Elapsed.TotalMilliseconds;
            if (repository == Watched)
            {
                var arrivals = await receiver.WhenDeliveredAsync(digest, Hooks, TimeSpan.FromSeconds(30));
                delivery.AddRange(arrivals.Select(a => Stopwatch.GetElapsedTime(answered, a).TotalMilliseconds));
            }

            return elapsed;
        }

        for (var i = 0; i < (ctx.Options.IsQuick ? 1 : 2); i++)
        {
            await PushAsync(Watched);
            await PushAsync(Free);
        }

        delivery.Clear();
        var hooked = new List<double>();
        var free = new List<double>();
        for (var r = 0; r < rounds; r++)
        {
            foreach (var watched in r % 2 == 0 ? new[] { true, false } : [false, true])
            {
                (watched ? hooked : free).Add(await PushAsync(watched ? Watched : Free));
            }
        }

        var (h50, f50) = (Stats.Median(hooked), Stats.Median(free));
        var ratio = Stats.Median(hooked.Zip(free, (h, f) => h / f));
        var (d50, d99) = (Stats.Percentile(delivery, 0.5), Stats.Percentile(delivery, 0.99));
        ctx.Report.Raw($"Push of a {Layers} × {layerSize / 1024} KiB image ({rounds} each, in-process, alternating): with {Hooks} webhooks p50 {Fmt(h50)} ms, " +
            $"without p50 {Fmt(f50)} ms, median of the rounds' ratios {ratio.ToString("F3", CultureInfo.InvariantCulture)}; " +
            $"{delivery.Count} deliveries from the manifest PUT's answer to the receiver: p50 {Fmt(d50)} ms, p99 {Fmt(d99)} ms, max {Fmt(delivery.Max())} ms");
        ctx.Report.Add(new FigureRow(21, $"Push latency with {Hooks} webhooks vs none ({Layers} × {layerSize / 1024} KiB layers; median of paired ratios)",
            $"{Fmt(h50)} ms vs {Fmt(f50)} ms ({ratio.ToString("F3", CultureInfo.InvariantCulture)}×)", "≤ 1.05×", ratio <= 1.05));
        ctx.Report.Add(new FigureRow(22, $"Push to webhook delivery, standalone server ({delivery.Count} deliveries)",
            $"p50 {Fmt(d50)} ms, p99 {Fmt(d99)} ms", "reported", true));
    }

    /// <summary>A webhook receiver on loopback that notes when each endpoint first receives a push of each digest.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, long>> _arrivals = new(StringComparer.Ordinal);

        private Receiver(WebApplication app) => _app = app;

        public Uri Address => new(_app.Urls.First() + "/");

        public static async Task<Receiver> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.MapPost("/hook/{n:int}", async (int n, HttpRequest request) =>
            {
                var at = Stopwatch.GetTimestamp();
                using var body = await JsonDocument.ParseAsync(request.Body);
                foreach (var e in body.RootElement.GetProperty("events").EnumerateArray())
                {
                    if (e.GetProperty("action").GetString() == "push" && e.GetProperty("target").GetProperty("digest").GetString() is { } digest)
                    {
                        receiver._arrivals.GetOrAdd(digest, _ => new()).TryAdd(n, at);
                    }
                }

                return Results.Ok();
            });
            await app.StartAsync();
            return receiver;
        }

        /// <summary>When each of <paramref name="endpoints"/> first received a push of <paramref name="digest"/>.</summary>
        public async Task<IReadOnlyList<long>> WhenDeliveredAsync(string digest, int endpoints, TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (_arrivals.TryGetValue(digest, out var seen) && seen.Count >= endpoints)
                {
                    return [.. seen.Values];
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"{digest} reached {(seen?.Count ?? 0)} of {endpoints} webhooks within {timeout.TotalSeconds} s");
                }

                await Task.Delay(1);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
