using ServerlessRegistry.Testing;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figures 13–16: the pull-through cache. Its own registry (published when the harness has the published program,
/// else in-process) with the rule <c>cache/*</c> → CNCF distribution 2.8.2 on loopback, which serves blob bytes
/// itself (so a miss streams through while the cache fills). In order: first pull through the cache against the
/// upstream directly (15), the wait for the background fill, second pull against the same image pushed to us (16),
/// cached against local manifest GETs (13), and the requests the upstream saw during whole cache-hit pulls (14).
/// A second rule, <c>cacheours/*</c>, points at a second instance of this registry (in-process), whose blob GETs
/// redirect to storage as Docker Hub's do: the first-pull ratio through it is an extra raw line.
/// </summary>
internal static class MirrorFigures
{
    public const string Upstream = "bench/mirror";
    public const string Cached = "cache/" + Upstream;
    public const string Pushed = "bench/mirror-pushed";
    public const string CachedRedirecting = "cacheours/" + Upstream;

    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        if (!o.Peer || !File.Exists(DistributionProcess.Binary) || !File.Exists("/usr/bin/skopeo"))
        {
            var why = o.Peer ? "skipped: docker-registry or skopeo missing (scripts/bench.sh installs them)" : "skipped (pass --peer)";
            foreach (var (number, name) in Names)
            {
                ctx.Report.Add(new FigureRow(number, name, why, Goals[number], null));
            }

            return;
        }

        var work = Directory.CreateTempSubdirectory("bench-mirror-").FullName;
        try
        {
            await using var distribution = await DistributionProcess.StartAsync();
            await using var redirecting = await RegistryTarget.InProcessAsync();
            var settings = new Dictionary<string, string?>
            {
                ["Mirror:Rules:0:Local"] = "cache/*",
                ["Mirror:Rules:0:Upstream"] = $"http://{distribution.HostPort}/*",
                // Figures 13 and 14 measure hits within the interval; an hour keeps the whole run inside it.
                ["Mirror:Rules:0:TagCheckInterval"] = "01:00:00",
                ["Mirror:Rules:1:Local"] = "cacheours/*",
                ["Mirror:Rules:1:Upstream"] = $"http://{redirecting.HostPort}/*",
            };
            await using var target = o.RegistryExe is { } exe
                ? await RegistryTarget.PublishedAsync(exe, settings)
                : await RegistryTarget.InProcessAsync(settings: settings);
            using var sandbox = new ContainersSandbox();
            var run = new MirrorRun(ctx, target, distribution, redirecting, new Skopeo(sandbox), work);
            await run.MeasureAsync();
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder; never fail the run over it.
            }
        }
    }

    private static readonly (int Number, string Name)[] Names =
    [
        (13, "Mirror: cache-hit manifest GET p50 vs local manifest GET p50"),
        (14, "Mirror: upstream requests per cache-hit pull within the tag interval"),
        (15, "Mirror: first pull through the cache vs from the upstream directly (skopeo)"),
        (16, "Mirror: second pull (cache hit) vs pull of the same image pushed to us (skopeo)"),
    ];

    public static readonly Dictionary<int, string> Goals = new() { [13] = "≤ 1.1×", [14] = "0", [15] = "≤ 1.3×", [16] = "≤ 1.05×" };

    public static string Name(int number) => Names.Single(n => n.Number == number).Name;
}
