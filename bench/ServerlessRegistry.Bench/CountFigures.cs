using System.Globalization;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Storage;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figures 5 and 9. Latencies come from the registry under test; storage calls are counted on a second,
/// in-process registry whose storage pipeline carries a <see cref="StorageCallCounter"/>.
/// </summary>
internal static class CountFigures
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var counter = new StorageCallCounter();
        await using var counted = await RegistryTarget.InProcessAsync(s => s.AddSingleton<HttpPipelinePolicy>(counter));
        await ManifestsAsync(ctx, counted, counter);
        await PullAndFinalizeAsync(ctx, counted, counter);
    }

    /// <summary>Figure 5: manifest GET by tag and by digest, inline (small) and stored as a blob (large).</summary>
    private static async Task ManifestsAsync(BenchContext ctx, RegistryTarget counted, StorageCallCounter counter)
    {
        var repo = "bench/manifests";
        var layer = OciClient.RandomBytes(1024);
        // Over the inline threshold, so the manifest lives in a blob and GET needs its second call.
        var large = new string('a', StorageLayout.InlineManifestLimit + 4096);
        var parts = new List<string>();
        var calls = new List<(string Case, double Calls)>();
        var worstP50 = 0.0;
        foreach (var (name, annotation) in new[] { ("inline", (string?)null), ("blob", large) })
        {
            var digest = await OciClient.PushImageAsync(ctx.Target.Client, repo, name, [layer], annotation);
            var countedDigest = await OciClient.PushImageAsync(counted.Client, repo, name, [layer], annotation);
            foreach (var (by, reference, countedReference) in new[] { ("tag", name, name), ("digest", digest, countedDigest) })
            {
                var n = Math.Max(10, ctx.Options.LatencyRequests / 2);
                await Stats.LatenciesAsync(10, () => OciClient.GetManifestAsync(ctx.Target.Client, repo, reference));
                var latencies = await Stats.LatenciesAsync(n, () => OciClient.GetManifestAsync(ctx.Target.Client, repo, reference));
                // A pull of the day already recorded: what every pull after the first of a day costs.
                await OciClient.GetManifestAsync(counted.Client, repo, countedReference);
                await counted.WhenPullsRecordedAsync();
                var made = await counter.CountAsync(() => OciClient.GetManifestAsync(counted.Client, repo, countedReference));
                var p50 = Stats.Percentile(latencies, 0.5);
                worstP50 = Math.Max(worstP50, p50);
                parts.Add($"{name} by {by}: {Fmt(p50)}/{Fmt(Stats.Percentile(latencies, 0.99))} ms, {made} call{(made == 1 ? "" : "s")}");
                calls.Add((name, made));
            }
        }

        ctx.Report.Raw($"Manifest GET p50/p99 ({ctx.Target.Kind}, {Math.Max(10, ctx.Options.LatencyRequests / 2)} requests each) and storage calls: " + string.Join("; ", parts));
        var met = calls.All(c => c.Calls <= (c.Case == "inline" ? 1 : 2));
        ctx.Report.Add(new FigureRow(5, "Manifest GET p50/p99 and storage calls (inline ≤ 60 KiB / blob)", string.Join("; ", parts), "≤ 1 call inline, ≤ 2 otherwise", met));
    }

    /// <summary>Figure 9: calls for pulling an N-layer image, and for the final PUT of uploads of different sizes.</summary>
    private static async Task PullAndFinalizeAsync(BenchContext ctx, RegistryTarget counted, StorageCallCounter counter)
    {
        var o = ctx.Options;
        var repo = "bench/counted";
        var layers = Enumerable.Range(0, o.PullLayers).Select(_ => OciClient.RandomBytes(64 * 1024)).ToList();
        await OciClient.PushImageAsync(counted.Client, repo, "v1", layers);
        await counted.WhenStatsIdleAsync(repo);
        await OciClient.GetManifestAsync(counted.Client, repo, "v1");
        await counted.WhenPullsRecordedAsync();
        var pull = await counter.CountAsync(async () =>
        {
            var manifest = await OciClient.GetManifestAsync(counted.Client, repo, "v1");
            foreach (var digest in Digests(manifest))
            {
                using var response = await counted.Client.GetAsync($"/v2/{repo}/blobs/{digest}");
                OciClient.Expect(response, System.Net.HttpStatusCode.TemporaryRedirect, "GET blob");
            }
        });

        var finalize = new List<(long Size, long Calls)>();
        foreach (var size in o.FinalizeSizes)
        {
            var data = OciClient.RandomBytes(size);
            var location = await OciClient.StartUploadAsync(counted.Client, repo);
            // Chunks go up first; only the final, empty PUT is counted.
            using (var patch = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new ByteArrayContent(data) })
            {
                patch.Content.Headers.TryAddWithoutValidation("Content-Range", string.Create(CultureInfo.InvariantCulture, $"0-{size - 1}"));
                using var response = await counted.Client.SendAsync(patch);
                OciClient.Expect(response, System.Net.HttpStatusCode.Accepted, "PATCH");
                location = response.Headers.Location!.ToString();
            }

            finalize.Add((size, await counter.CountAsync(() => OciClient.CompleteAsync(counted.Client, location, OciClient.Sha256(data), null))));
        }

        var n = o.PullLayers;
        var constant = finalize.Select(f => f.Calls).Distinct().Count() == 1;
        var finalizeText = string.Join(", ", finalize.Select(f => $"{f.Calls} @ {PushFigures.SizeLabel(f.Size)}"));
        ctx.Report.Raw($"Storage calls, pull of a {n}-layer image (manifest by tag, then config and {n} layers, each answered 307): {pull}; final PUT ?digest= after the chunks: {finalizeText} (session read, session delete, index read, Put Block List, index insert, link upsert)");
        ctx.Report.Add(new FigureRow(9, $"Storage calls: pull of a {n}-layer image; push finalize", $"pull {pull} (N + 2 = {n + 2}); finalize {finalizeText}", "pull ≤ N + 2; finalize constant", pull <= n + 2 && constant));
    }

    /// <summary>The config and layer digests of an image manifest, in order.</summary>
    private static IEnumerable<string> Digests(byte[] manifest)
    {
        using var json = System.Text.Json.JsonDocument.Parse(manifest);
        yield return json.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            yield return layer.GetProperty("digest").GetString()!;
        }
    }
}
