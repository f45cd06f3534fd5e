using System.Diagnostics;
using System.Globalization;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figure 10: many distinct images at once. Every push and pull is a whole image (config, one layer, manifest);
/// pulls follow the redirect and read every byte. Errors are counted, not thrown.
/// </summary>
internal static class ParallelFigure
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var client = ctx.Target.Client;
        var layers = Enumerable.Range(0, Math.Max(o.ParallelPushes, o.ParallelPulls)).Select(_ => OciClient.RandomBytes(o.ParallelLayerSize)).ToList();

        var pushErrors = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, o.ParallelPushes).Select(async i =>
        {
            try
            {
                await OciClient.PushImageAsync(client, $"bench/parallel-push-{i}", "v1", [layers[i]]);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
            {
                Interlocked.Increment(ref pushErrors);
                ctx.Report.Raw("Parallel push error: " + e.Message);
            }
        }));
        var pushTime = watch.Elapsed;
        var pushBytes = o.ParallelPushes * o.ParallelLayerSize;

        // Distinct images to pull: fresh content (the first bytes changed), pushed a few at a time, untimed.
        using var gate = new SemaphoreSlim(4);
        await Task.WhenAll(Enumerable.Range(0, o.ParallelPulls).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var layer = layers[i];
                BitConverter.TryWriteBytes(layer.AsSpan(0, 8), Random.Shared.NextInt64());
                await OciClient.PushImageAsync(client, $"bench/parallel-pull-{i}", "v1", [layer]);
            }
            finally
            {
                gate.Release();
            }
        }));

        var pullErrors = 0;
        long pulled = 0;
        watch.Restart();
        await Task.WhenAll(Enumerable.Range(0, o.ParallelPulls).Select(async i =>
        {
            try
            {
                var repo = $"bench/parallel-pull-{i}";
                var manifest = await OciClient.GetManifestAsync(client, repo, "v1");
                using var json = System.Text.Json.JsonDocument.Parse(manifest);
                var digests = new[] { json.RootElement.GetProperty("config") }.Concat(json.RootElement.GetProperty("layers").EnumerateArray())
                    .Select(d => d.GetProperty("digest").GetString()!).ToList();
                foreach (var digest in digests)
                {
                    Interlocked.Add(ref pulled, await OciClient.PullBlobAsync(client, ctx.Storage, repo, digest));
                }
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
            {
                Interlocked.Increment(ref pullErrors);
                ctx.Report.Raw("Parallel pull error: " + e.Message);
            }
        }));
        var pullTime = watch.Elapsed;

        // The same work without the registry: raw Put Block uploads of the layers, and direct SAS downloads.
        var tuning = RegistryTarget.Tuning();
        var rawPush = await Stats.TimeAsync(() => Task.WhenAll(layers.Take(o.ParallelPushes).Select(l => PushFigures.RawUploadAsync(ctx.Target.Blobs, l, tuning))));
        var urls = new List<Uri>();
        for (var i = 0; i < o.ParallelPulls; i++)
        {
            var repo = $"bench/parallel-pull-{i}";
            var manifest = await OciClient.GetManifestAsync(client, repo, "v1");
            using var json = System.Text.Json.JsonDocument.Parse(manifest);
            var digest = json.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString();
            using var response = await client.GetAsync($"/v2/{repo}/blobs/{digest}");
            urls.Add(response.Headers.Location!);
        }

        var rawPull = await Stats.TimeAsync(() => Task.WhenAll(urls.Select(u => OciClient.DownloadAsync(ctx.Storage, u))));
        var layerBytes = o.ParallelPulls * o.ParallelLayerSize;
        ctx.Report.Raw($"Parallel, same machine, no registry: {o.ParallelPushes} raw Put Block uploads {Fmt(Stats.MiBps(pushBytes, rawPush), 0)} MiB/s; {o.ParallelPulls} direct SAS downloads of the layers {Fmt(Stats.MiBps(layerBytes, rawPull), 0)} MiB/s");

        var size = PushFigures.SizeLabel(o.ParallelLayerSize);
        var value = string.Create(CultureInfo.InvariantCulture,
            $"{o.ParallelPushes} pushes: {pushErrors} errors, {Fmt(Stats.MiBps(pushBytes, pushTime), 0)} MiB/s; {o.ParallelPulls} pulls: {pullErrors} errors, {Fmt(Stats.MiBps(pulled, pullTime), 0)} MiB/s");
        ctx.Report.Raw($"Parallel ({ctx.Target.Kind}, one {size} layer per image): {o.ParallelPushes} pushes of {Fmt(pushBytes / Stats.MiB, 0)} MiB in {Fmt(pushTime.TotalSeconds)} s; {o.ParallelPulls} pulls of {Fmt(pulled / Stats.MiB, 0)} MiB in {Fmt(pullTime.TotalSeconds)} s");
        ctx.Report.Add(new FigureRow(10, $"{o.ParallelPushes} parallel pushes and {o.ParallelPulls} parallel pulls of distinct images ({size} layer each)", value, "0 errors; report MiB/s", pushErrors == 0 && pullErrors == 0));
        await ctx.Target.DeleteContentAsync();
    }
}
