namespace ServerlessRegistry.Bench;

/// <summary>
/// What one harness run measures and how big. <see cref="Full"/> is what scripts/bench.sh publishes in RESULTS.md;
/// <see cref="Quick"/> runs every figure on small sizes in seconds (the smoke test and --quick).
/// </summary>
internal sealed record BenchOptions
{
    private const long MiB = 1024 * 1024;

    /// <summary>Layer sizes for figures 1, 2 and 7 (the largest one is the RSS sample).</summary>
    public required long[] PushSizes { get; init; }

    /// <summary>Chunk size of the chunked push (figure 2).</summary>
    public int ChunkSize { get; init; } = (int)(8 * MiB);

    /// <summary>How often each push variant runs per size; the best time of each is compared.</summary>
    public int PushRepeats { get; init; } = 2;

    /// <summary>Requests per latency sample (figures 3 and 5).</summary>
    public int LatencyRequests { get; init; } = 1000;

    /// <summary>Size of the blob downloaded through the redirect and directly (figure 4).</summary>
    public long PullSize { get; init; } = 1024 * MiB;

    public int PullRepeats { get; init; } = 9;

    /// <summary>Bytes hashed per engine (figure 6), in requests of <see cref="ChunkSize"/>.</summary>
    public long HashBytes { get; init; } = 512 * MiB;

    public int ColdStartRuns { get; init; } = 7;

    /// <summary>Layers of the image pulled in figure 9; finalize is counted at these two sizes.</summary>
    public int PullLayers { get; init; } = 5;

    public long[] FinalizeSizes { get; init; } = [1 * MiB, 64 * MiB];

    public int ParallelPushes { get; init; } = 20;
    public int ParallelPulls { get; init; } = 50;

    /// <summary>Layer size of each image in figure 10.</summary>
    public long ParallelLayerSize { get; init; } = 8 * MiB;

    /// <summary>Figure 11: layers per image and their size (pushed and pulled with skopeo).</summary>
    public int PeerLayers { get; init; } = 3;
    public long PeerLayerSize { get; init; } = 64 * MiB;

    /// <summary>Figures 15 and 16: layers of the image pulled through the cache and their size.</summary>
    public int MirrorLayers { get; init; } = 4;
    public long MirrorLayerSize { get; init; } = 50 * MiB;

    /// <summary>Figure 16: alternating pairs of pulls (cache hit, pushed image); the median pair ratio is reported.</summary>
    public int MirrorPullPairs { get; init; } = 7;

    /// <summary>Figure 13: manifest GETs per sample (cached and local), after as many again for warm-up.</summary>
    public int MirrorManifestRequests { get; init; } = 200;

    /// <summary>Figure 14: whole pulls of the cached image whose upstream requests are counted.</summary>
    public int MirrorHitPulls { get; init; } = 5;

    /// <summary>Run figures 11 and 13–16 (need /usr/bin/docker-registry and skopeo).</summary>
    public bool Peer { get; init; }

    /// <summary>The ReadyToRun-published registry. Null: figures 1–4 and 10 use an in-process registry; 7 and 8 are skipped.</summary>
    public string? RegistryExe { get; init; }

    /// <summary>The empty ASP.NET Core app published the same way (figure 8).</summary>
    public string? EmptyAppExe { get; init; }

    /// <summary>Where to write the results page; null prints only.</summary>
    public string? ResultsPath { get; init; }

    public bool IsQuick { get; init; }

    /// <summary>Run only the figure groups whose name contains one of these (e.g. "push"); empty runs all.</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    public static BenchOptions Full => new() { PushSizes = [200 * MiB, 1024 * MiB] };

    public static BenchOptions Quick => new()
    {
        IsQuick = true,
        PushSizes = [3 * MiB, 9 * MiB],
        ChunkSize = (int)(2 * MiB),
        PushRepeats = 1,
        LatencyRequests = 30,
        PullSize = 2 * MiB,
        PullRepeats = 1,
        HashBytes = 8 * MiB,
        ColdStartRuns = 1,
        PullLayers = 2,
        FinalizeSizes = [64 * 1024, 3 * MiB],
        ParallelPushes = 4,
        ParallelPulls = 6,
        ParallelLayerSize = 64 * 1024,
        PeerLayers = 1,
        PeerLayerSize = 1 * MiB,
        MirrorLayers = 2,
        MirrorLayerSize = 1 * MiB,
        MirrorPullPairs = 1,
        MirrorManifestRequests = 20,
        MirrorHitPulls = 2,
    };
}
