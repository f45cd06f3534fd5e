using System.Globalization;
using Azure.Core.Pipeline;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Registry;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figures 17 and 18: the web interface's repository page for a repository with many tags. 17 compares its p50
/// (client-observed on loopback after a warm-up, as figure 5 measures manifest GETs) with the p50 of tags/list for
/// the same repository on the registry under test; 18 counts the storage calls of one page on an in-process registry
/// whose storage pipeline carries a <see cref="StorageCallCounter"/>, for 10 and for 1,000 tags. Auth is off in the
/// harness, so the viewer may see everything and no sign-in is measured.
/// </summary>
internal static class WebFigures
{
    public const int ManyTags = 1000;
    public const int FewTags = 10;

    public static async Task RunAsync(BenchContext ctx)
    {
        // Each figure reports on its own: a page that fails under load must not hide the call count.
        foreach (var (number, run) in new (int, Func<BenchContext, Task>)[] { (17, PageVersusTagListAsync), (18, StorageCallsAsync) })
        {
            try
            {
                await run(ctx);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                ctx.Report.Add(new FigureRow(number, number == 17 ? "Repository page with 1,000 tags vs tags/list" : "Storage calls per repository page",
                    "FAILED: " + e.Message.ReplaceLineEndings(" "), "—", false));
            }
        }
    }

    /// <summary>Figure 17.</summary>
    private static async Task PageVersusTagListAsync(BenchContext ctx)
    {
        var repo = "bench/web-many";
        var client = ctx.Target.Client;
        await SeedAsync(client, repo, ManyTags);
        var n = Math.Max(10, ctx.Options.LatencyRequests / 10);
        var page = () => GetAsync(client, $"/r/{repo}", "repository page");
        var list = () => GetAsync(client, $"/v2/{repo}/tags/list", "tags/list");
        await Stats.LatenciesAsync(10, page);
        await Stats.LatenciesAsync(10, list);
        // Alternating halves, so a slow stretch of the machine falls on both.
        var pages = new List<double>();
        var lists = new List<double>();
        for (var half = 0; half < 2; half++)
        {
            pages.AddRange(await Stats.LatenciesAsync(n / 2, page));
            lists.AddRange(await Stats.LatenciesAsync(n / 2, list));
        }

        var pageP50 = Stats.Percentile(pages, 0.5);
        var listP50 = Stats.Percentile(lists, 0.5);
        var ratio = pageP50 / listP50;
        ctx.Report.Raw($"Repository page with {ManyTags} tags ({ctx.Target.Kind}, {pages.Count} requests each, alternating halves): page p50/p99 {Fmt(pageP50)}/{Fmt(Stats.Percentile(pages, 0.99))} ms; tags/list p50/p99 {Fmt(listP50)}/{Fmt(Stats.Percentile(lists, 0.99))} ms");
        ctx.Report.Add(new FigureRow(17, $"Repository page with {ManyTags:N0} tags: server time p50 vs tags/list p50 (same repository)",
            $"{Fmt(pageP50)} ms vs {Fmt(listP50)} ms ({ratio.ToString("F2", CultureInfo.InvariantCulture)}×)", "≤ 2×", ratio <= 2));
    }

    /// <summary>Figure 18.</summary>
    private static async Task StorageCallsAsync(BenchContext ctx)
    {
        var counter = new StorageCallCounter();
        await using var counted = await RegistryTarget.InProcessAsync(s => s.AddSingleton<HttpPipelinePolicy>(counter));
        var calls = new List<(int Tags, long Calls)>();
        foreach (var tags in new[] { FewTags, ManyTags })
        {
            var repo = $"bench/web-count-{tags}";
            await SeedAsync(counted.Client, repo, tags);
            await counted.WhenStatsIdleAsync(repo);
            await GetAsync(counted.Client, $"/r/{repo}", "repository page");
            calls.Add((tags, await counter.CountAsync(() => GetAsync(counted.Client, $"/r/{repo}", "repository page"))));
        }

        var text = string.Join(", ", calls.Select(c => $"{c.Calls} @ {c.Tags:N0} tags"));
        ctx.Report.Raw($"Storage calls of one repository page (in-process, second request): {text}");
        ctx.Report.Add(new FigureRow(18, $"Storage calls per repository page ({FewTags} and {ManyTags:N0} tags)", text,
            "constant: no per-tag calls", calls.Select(c => c.Calls).Distinct().Count() == 1));
    }

    /// <summary>
    /// One image pushed once, then its manifest put again by digest under the other tags, up to
    /// <see cref="ManifestService.MaxTagsPerPush"/> per request (<c>?tag=</c> repeated): 1,000 tags in 11 requests.
    /// </summary>
    public static async Task SeedAsync(HttpClient client, string repository, int tags)
    {
        var names = Enumerable.Range(0, tags).Select(i => "t" + i.ToString("D4", CultureInfo.InvariantCulture)).ToList();
        var digest = await OciClient.PushImageAsync(client, repository, names[0], [OciClient.RandomBytes(1024)]);
        var manifest = await OciClient.GetManifestAsync(client, repository, digest);
        foreach (var chunk in names.Skip(1).Chunk(ManifestService.MaxTagsPerPush))
        {
            var query = string.Join('&', chunk.Select(t => "tag=" + t));
            using var content = new ByteArrayContent(manifest);
            content.Headers.ContentType = new MediaTypeHeaderValue(OciClient.OciManifest);
            using var response = await client.PutAsync($"/v2/{repository}/manifests/{digest}?{query}", content);
            OciClient.Expect(response, HttpStatusCode.Created, "PUT manifest with tags");
        }

        var listed = await CountTagsAsync(client, repository);
        if (listed != tags)
        {
            throw new InvalidOperationException($"seeded {tags} tags in {repository} but tags/list lists {listed}");
        }
    }

    /// <summary>How many tags tags/list names, following its Link pages.</summary>
    private static async Task<int> CountTagsAsync(HttpClient client, string repository)
    {
        var count = 0;
        string? next = $"/v2/{repository}/tags/list";
        while (next is not null)
        {
            using var response = await client.GetAsync(next);
            OciClient.Expect(response, HttpStatusCode.OK, "GET tags/list");
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            count += json.RootElement.GetProperty("tags").GetArrayLength();
            next = response.Headers.TryGetValues("Link", out var links) ? links.First().Split(';')[0].Trim('<', '>', ' ') : null;
        }

        return count;
    }

    private static async Task GetAsync(HttpClient client, string path, string what)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead);
        OciClient.Expect(response, HttpStatusCode.OK, "GET " + what);
    }
}
