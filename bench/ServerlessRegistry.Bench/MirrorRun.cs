using System.Globalization;
using System.Net;
using ServerlessRegistry.Testing;
using static ServerlessRegistry.Bench.BenchReport;
using static ServerlessRegistry.Bench.MirrorFigures;

namespace ServerlessRegistry.Bench;

/// <summary>
/// One run of figures 13–16 against one cache registry and its upstream distribution, plus the first-pull ratio with an
/// upstream that redirects its blobs (a second instance of this registry) as an extra raw line.
/// </summary>
internal sealed class MirrorRun(BenchContext ctx, RegistryTarget target, DistributionProcess distribution, RegistryTarget redirecting, Skopeo skopeo, string work)
{
    private readonly BenchOptions _o = ctx.Options;
    private int _outputs;

    public async Task MeasureAsync()
    {
        var layout = new OciLayoutBuilder(Path.Combine(work, "image"));
        var image = layout.AddImage("linux", "amd64", [.. Enumerable.Range(0, _o.MirrorLayers).Select(i => ($"layer{i}.bin", OciClient.RandomBytes(_o.MirrorLayerSize), false))]);
        layout.Tag(image.Manifest, "v1");
        var bytes = image.Layers.Sum(l => l.Size) + image.Config.Size;
        string[] digests = [image.Config.Digest, .. image.Layers.Select(l => l.Digest)];
        await skopeo.CopyAsync(layout.Reference("v1"), $"docker://{distribution.HostPort}/{Upstream}:v1");
        await skopeo.CopyAsync(layout.Reference("v1"), $"docker://{target.HostPort}/{Pushed}:v1");

        var ok = await Figure(15, () => FirstPullAsync(bytes));
        var before = distribution.Requests().Count;
        try
        {
            var fill = await Stats.TimeAsync(() => WaitForFillAsync(digests));
            ctx.Report.Raw($"Mirror: the background fill was complete {Fmt(fill.TotalSeconds)} s after the first pull ended ({digests.Length} blobs answered 307 to {target.StorageEndpoint.Authority})");
            before = distribution.Requests().Count;
            ok &= await Figure(16, () => SecondPullAsync(bytes));
            ok &= await Figure(13, ManifestLatencyAsync);
            ok &= await Figure(14, UpstreamRequestsAsync);
            ok &= await RedirectingFirstPullAsync();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Without a filled cache there are no hits to measure.
            ok = false;
            foreach (var number in new[] { 13, 14, 16 })
            {
                ctx.Report.Add(new FigureRow(number, Name(number), "FAILED: no cache hits to measure: " + e.Message.ReplaceLineEndings(" "), Goals[number], false));
            }
        }

        var during = distribution.Requests().Skip(before).ToList();
        ctx.Report.Raw($"Mirror: upstream requests during all cache-hit traffic of figures 16, 13 and 14: {during.Count}" +
            (during.Count == 0 ? "" : " (" + string.Join(", ", during.Take(10)) + ")"));
        if (!ok)
        {
            ctx.Report.Raw("Mirror registry output: " + (target.Process?.Tail() ?? "(in-process)").ReplaceLineEndings(" | "));
        }
    }

    /// <summary>
    /// The first pull again, from an upstream that answers blob GETs with a redirect to its storage (as Docker Hub does):
    /// the cache passes the redirect on and fills in the background. Not a figure of the issue; a raw line.
    /// </summary>
    private async Task<bool> RedirectingFirstPullAsync()
    {
        try
        {
            var layout = new OciLayoutBuilder(Path.Combine(work, "image-redirecting"));
            var image = layout.AddImage("linux", "amd64", [.. Enumerable.Range(0, _o.MirrorLayers).Select(i => ($"layer{i}.bin", OciClient.RandomBytes(_o.MirrorLayerSize), false))]);
            layout.Tag(image.Manifest, "v1");
            await skopeo.CopyAsync(layout.Reference("v1"), $"docker://{redirecting.HostPort}/{Upstream}:v1");
            var direct = await PullAsync($"{redirecting.HostPort}/{Upstream}");
            var cached = await PullAsync($"{target.HostPort}/{CachedRedirecting}");
            var mib = (image.Layers.Sum(l => l.Size) + image.Config.Size) / Stats.MiB;
            ctx.Report.Raw($"Mirror first pull from an upstream that redirects blob GETs (this registry, {redirecting.Kind}, 307 to Azurite), skopeo copy ({_o.MirrorLayers} × {PushFigures.SizeLabel(_o.MirrorLayerSize)} layers): " +
                $"upstream directly {Fmt(direct)} s ({Fmt(mib / direct, 0)} MiB/s), through the cache {Fmt(cached)} s ({Fmt(mib / cached, 0)} MiB/s); ratio {Fmt(cached / direct)}× (goal of figure 15: ≤ 1.3×)");
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ctx.Report.Raw("Mirror first pull from a redirecting upstream FAILED: " + e.Message.ReplaceLineEndings(" "));
            return false;
        }
    }

    /// <summary>Runs one figure; a failure becomes its FAILED row and the others still run.</summary>
    private async Task<bool> Figure(int number, Func<Task> measure)
    {
        try
        {
            await measure();
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            ctx.Report.Add(new FigureRow(number, Name(number), "FAILED: " + e.Message.ReplaceLineEndings(" "), Goals[number], false));
            return false;
        }
    }

    private async Task FirstPullAsync(long bytes)
    {
        // The upstream directly first: its files are in the page cache from the push either way.
        var direct = await PullAsync($"{distribution.HostPort}/{Upstream}");
        var cached = await PullAsync($"{target.HostPort}/{Cached}");
        var ratio = cached / direct;
        var mib = bytes / Stats.MiB;
        ctx.Report.Raw($"Mirror first pull, skopeo copy to an oci: folder ({_o.MirrorLayers} × {PushFigures.SizeLabel(_o.MirrorLayerSize)} layers, {target.Kind}, upstream distribution 2.8.2 serving bytes): " +
            $"upstream directly {Fmt(direct)} s ({Fmt(mib / direct, 0)} MiB/s), through the cache {Fmt(cached)} s ({Fmt(mib / cached, 0)} MiB/s); ratio {Fmt(ratio)}×");
        ctx.Report.Add(new FigureRow(15, $"{Name(15)}, {PushFigures.SizeLabel(bytes)}, {target.Kind}, time ratio", $"{Fmt(ratio)}×", Goals[15], ratio <= 1.3));
    }

    private async Task SecondPullAsync(long bytes)
    {
        // Alternated pairs (A B, B A, …); the median of the pairs' ratios ignores a pair a neighbour's burst hit.
        var pairs = new List<(double Cached, double Pushed)>();
        for (var r = 0; r < _o.MirrorPullPairs; r++)
        {
            double c = 0, p = 0;
            for (var k = 0; k < 2; k++)
            {
                if ((k + r) % 2 == 0)
                {
                    c = await PullAsync($"{target.HostPort}/{Cached}");
                }
                else
                {
                    p = await PullAsync($"{target.HostPort}/{Pushed}");
                }
            }

            pairs.Add((c, p));
        }

        var ratio = Stats.Median(pairs.Select(p => p.Cached / p.Pushed));
        var mib = bytes / Stats.MiB;
        ctx.Report.Raw($"Mirror second pull, skopeo copy ({_o.MirrorPullPairs} alternating pairs): cache hit median {Fmt(Stats.Median(pairs.Select(p => p.Cached)))} s ({Fmt(mib / Stats.Median(pairs.Select(p => p.Cached)), 0)} MiB/s), " +
            $"pushed image median {Fmt(Stats.Median(pairs.Select(p => p.Pushed)))} s ({Fmt(mib / Stats.Median(pairs.Select(p => p.Pushed)), 0)} MiB/s); per-pair ratios {string.Join(", ", pairs.Select(p => Fmt(p.Cached / p.Pushed)))}");
        ctx.Report.Add(new FigureRow(16, $"{Name(16)}, {target.Kind}, median of paired time ratios", $"{Fmt(ratio)}×", Goals[16], ratio <= 1.05));
    }

    private async Task ManifestLatencyAsync()
    {
        var n = _o.MirrorManifestRequests;
        var cached = new List<double>(n);
        var local = new List<double>(n);
        // Interleaved one by one, so both samples share the machine's state; the first n of each warm up.
        for (var i = 0; i < 2 * n; i++)
        {
            var c = await Stats.TimeAsync(() => OciClient.GetManifestAsync(target.Client, Cached, "v1"));
            var l = await Stats.TimeAsync(() => OciClient.GetManifestAsync(target.Client, Pushed, "v1"));
            if (i >= n)
            {
                cached.Add(c.TotalMilliseconds);
                local.Add(l.TotalMilliseconds);
            }
        }

        var (cp50, lp50) = (Stats.Percentile(cached, 0.5), Stats.Percentile(local, 0.5));
        var ratio = cp50 / lp50;
        ctx.Report.Raw($"Mirror manifest GET by tag ({target.Kind}, {n} interleaved sequential requests each after {n} warm-up): cache hit p50 {Fmt(cp50)} ms, p99 {Fmt(Stats.Percentile(cached, 0.99))} ms; " +
            $"local p50 {Fmt(lp50)} ms, p99 {Fmt(Stats.Percentile(local, 0.99))} ms; ratio {Fmt(ratio)}×");
        ctx.Report.Add(new FigureRow(13, $"{Name(13)}, {target.Kind}", $"{Fmt(ratio)}× ({Fmt(cp50)} ms / {Fmt(lp50)} ms)", Goals[13], ratio <= 1.1));
    }

    private async Task UpstreamRequestsAsync()
    {
        var before = distribution.Requests().Count;
        for (var i = 0; i < _o.MirrorHitPulls; i++)
        {
            await OciClient.PullImageAsync(target.Client, ctx.Storage, Cached, "v1");
        }

        var requests = distribution.Requests().Skip(before).ToList();
        var perPull = requests.Count / (double)_o.MirrorHitPulls;
        ctx.Report.Raw($"Mirror cache-hit pulls (manifest by tag, config and layers through their 307s; {_o.MirrorHitPulls} pulls): the upstream's access log grew by {requests.Count} requests" +
            (requests.Count == 0 ? "" : ": " + string.Join(", ", requests.Take(10))));
        ctx.Report.Add(new FigureRow(14, Name(14), Fmt(perPull, 1), Goals[14], requests.Count == 0));
    }

    /// <summary>skopeo copy of tag v1 of <paramref name="repository"/> to a fresh oci: folder; seconds taken.</summary>
    private async Task<double> PullAsync(string repository)
    {
        var folder = Path.Combine(work, "out" + (++_outputs).ToString(CultureInfo.InvariantCulture));
        var seconds = (await Stats.TimeAsync(() => skopeo.CopyAsync($"docker://{repository}:v1", $"oci:{folder}:v1"))).TotalSeconds;
        Directory.Delete(folder, recursive: true);
        return seconds;
    }

    /// <summary>
    /// Waits until every blob of the cached repository answers 307 to our own storage (not the stream-through or
    /// a redirect upstream): only then does a pull measure cache hits.
    /// </summary>
    private async Task WaitForFillAsync(IEnumerable<string> digests)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(5);
        foreach (var digest in digests)
        {
            while (true)
            {
                using (var response = await target.Client.GetAsync($"/v2/{Cached}/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead))
                {
                    if (response.StatusCode == HttpStatusCode.TemporaryRedirect && response.Headers.Location?.Authority == target.StorageEndpoint.Authority)
                    {
                        break;
                    }

                    if (response.StatusCode is HttpStatusCode.NotFound || (int)response.StatusCode >= 500 || DateTime.UtcNow > deadline)
                    {
                        throw new InvalidOperationException($"the cache had not filled {digest} (GET answered {(int)response.StatusCode} {response.Headers.Location})");
                    }
                }

                await Task.Delay(200);
            }
        }
    }
}
