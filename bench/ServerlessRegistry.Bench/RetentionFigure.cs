using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Policies;
using ServerlessRegistry.Policies.Retention;
using ServerlessRegistry.Testing;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figure 19: a retention dry run over 10,000 tags across 100 repositories, and over 1,000 across 10, on an in-process
/// registry whose storage pipeline carries a <see cref="StorageCallCounter"/>: elapsed time and storage calls of each,
/// and their ratios (linear in the number of tags: about 10). Each tag names its own manifest, pushed 100 days ago; the
/// rule keeps the 10 most recently pushed per repository, so 90% of tags and manifests would go. Rows are seeded through
/// the metadata port in batches (as a push writes them), so seeding takes seconds.
/// </summary>
internal static class RetentionFigure
{
    private const int TagsPerRepository = 100;

    public static async Task RunAsync(BenchContext ctx)
    {
        var counter = new StorageCallCounter();
        await using var server = await RegistryServer.StartAsync(services: s => s.AddSingleton<HttpPipelinePolicy>(counter));
        var storage = server.Services.GetRequiredService<RegistryStorage>();
        var runner = server.Services.GetRequiredService<RetentionRunner>();
        var sizes = ctx.Options.IsQuick ? new[] { 2, 20 } : [10, 100];
        foreach (var repositories in sizes)
        {
            await SeedAsync(storage, server.Services.GetRequiredService<CatalogService>(), $"bench/retention{repositories}", repositories);
        }

        // Alternating runs, best time of each (as the push figures compare): the first also warms up JIT, connections
        // and the emulator's view of the partitions. Every run makes the same calls.
        Measured? small = null, large = null;
        for (var i = 0; i < 3; i++)
        {
            small = Best(small, await MeasureAsync(runner, counter, sizes[0]));
            large = Best(large, await MeasureAsync(runner, counter, sizes[1]));
        }

        var callRatio = (double)large!.Calls / small!.Calls;
        var timeRatio = large.Elapsed.TotalMilliseconds / small.Elapsed.TotalMilliseconds;
        ctx.Report.Raw($"Retention dry run (in-process on Azurite, rule: keep the 10 most recently pushed, best of 3): {Line(small)}; {Line(large)}; " +
            $"ratios {Fmt(callRatio)}× calls, {Fmt(timeRatio)}× time for {sizes[1] / sizes[0]}× the tags; the planner's own time is about 1 ms per repository, the rest is waiting for storage");
        ctx.Report.Add(new FigureRow(19, $"Retention dry run over {large.Tags:N0} tags in {sizes[1]} repositories vs {small.Tags:N0} in {sizes[0]}: time and storage calls",
            $"{Fmt(large.Elapsed.TotalSeconds)} s, {large.Calls} calls vs {Fmt(small.Elapsed.TotalSeconds)} s, {small.Calls} calls ({Fmt(callRatio)}× calls, {Fmt(timeRatio)}× time)",
            "linear: ≈ 10× calls for 10× the tags", callRatio is > 8 and < 12));
    }

    private static async Task<Measured> MeasureAsync(RetentionRunner runner, StorageCallCounter counter, int repositories)
    {
        var rule = new RetentionRule("recent", $"bench/retention{repositories}/*", ["**"], new RetentionKeep(LastPushed: 10));
        var policies = new PolicySet([rule], [], [], []);
        RetentionReport? report = null;
        var watch = Stopwatch.StartNew();
        var calls = await counter.CountAsync(async () =>
            report = await runner.RunAsync(policies, dryRun: true, TimeSpan.FromDays(1), null, false, null, CancellationToken.None));
        watch.Stop();
        var expected = repositories * (TagsPerRepository - 10);
        if (report!.RepositoriesChecked != repositories || report.TagsDeleted != expected || report.ManifestsDeleted != expected)
        {
            throw new InvalidOperationException($"retention over {repositories} repositories: {report.Summary()}; expected {expected} tags and manifests");
        }

        return new Measured(report.TagsChecked, watch.Elapsed, calls);
    }

    /// <summary>Per repository: 100 tags, each on its own inline manifest, written in batches of 100 rows; then the catalog row.</summary>
    private static async Task SeedAsync(RegistryStorage storage, CatalogService catalog, string prefix, int repositories)
    {
        var pushed = DateTimeOffset.UtcNow.AddDays(-100);
        await Parallel.ForEachAsync(Enumerable.Range(0, repositories), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (r, ct) =>
        {
            var repository = $"{prefix}/app{r:D3}";
            var partition = StorageLayout.RepositoryKey(repository);
            var rows = new List<TableRow>();
            for (var t = 0; t < TagsPerRepository; t++)
            {
                var bytes = Encoding.UTF8.GetBytes(
                    "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" +
                    Sha($"{repository}/{t}/c") + "\",\"size\":10},\"layers\":[]}");
                var digest = Sha(Encoding.UTF8.GetString(bytes));
                var body = new ManifestBody(MediaTypes.OciManifest, bytes.Length, bytes, null);
                var at = pushed.AddMinutes(t);
                rows.Add(new ManifestRow(body, null, null, at).ToRow(partition, digest));
                rows.Add(new TagRow(digest, body, at).ToRow(partition, $"v{t:D3}"));
            }

            foreach (var batch in rows.Chunk(100))
            {
                await storage.Metadata.ExecuteBatchAsync(storage.Layout.RepositoriesTable, [.. batch.Select(RowOperation.Upsert)], ct);
            }

            await catalog.EnsureListedAsync(repository, ct);
        });
    }

    private static Measured Best(Measured? best, Measured next) => best is null || next.Elapsed < best.Elapsed ? next : best;

    private static string Sha(string text) => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string Line(Measured m) =>
        $"{m.Tags.ToString("N0", CultureInfo.InvariantCulture)} tags: {Fmt(m.Elapsed.TotalSeconds)} s, {m.Calls} storage calls";

    private sealed record Measured(long Tags, TimeSpan Elapsed, long Calls);
}
