using System.Security.Cryptography;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figures 1, 2, 7 and 12. Each size is pushed three ways, interleaved so that noise hits all three alike: the raw
/// baseline (Put Block calls straight to Azurite), docker-style (one streamed PATCH) and chunked. The best time
/// of each is compared. The peak RSS and the CPU time of the registry process are taken over the largest
/// docker-style push.
/// </summary>
internal static class PushFigures
{
    public static async Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        // The baseline uses the registry's own block size and parallelism, so only the registry's work differs.
        var tuning = RegistryTarget.Tuning();
        var docker = new List<(long Size, double Ratio)>();
        var chunked = new List<(long Size, double Ratio)>();
        long? peakKiB = null;
        double? cpuSeconds = null;
        byte[]? largest = null;
        var repo = "bench/push";
        foreach (var size in o.PushSizes)
        {
            var data = OciClient.RandomBytes(size);
            var best = new double[3];
            Array.Fill(best, double.MaxValue);
            for (var r = 0; r < o.PushRepeats; r++)
            {
                for (var k = 0; k < 3; k++)
                {
                    var variant = (k + r) % 3;
                    // Fresh content per push: no dedup or index hit can skip work.
                    RandomNumberGenerator.Fill(data.AsSpan(0, 16));
                    var digest = OciClient.Sha256(data);
                    var time = variant switch
                    {
                        0 => await Stats.TimeAsync(() => RawUploadAsync(ctx.Target.Blobs, data, tuning)),
                        1 when size == o.PushSizes.Max() && ctx.Target.Process is { } process =>
                            await MeasurePeakAsync(process, () => OciClient.PushStreamedAsync(ctx.Target.Client, repo, data, digest),
                            kib => peakKiB = Math.Max(peakKiB ?? 0, kib), cpu => cpuSeconds = Math.Min(cpuSeconds ?? double.MaxValue, cpu)),
                        1 => await Stats.TimeAsync(() => OciClient.PushStreamedAsync(ctx.Target.Client, repo, data, digest)),
                        _ => await Stats.TimeAsync(() => OciClient.PushChunkedAsync(ctx.Target.Client, repo, data, digest, o.ChunkSize)),
                    };
                    best[variant] = Math.Min(best[variant], time.TotalSeconds);
                    await ctx.Target.DeleteContentAsync();
                }
            }

            largest = size == o.PushSizes.Max() ? data : largest;
            var mib = size / Stats.MiB;
            ctx.Report.Raw($"Push {mib:F0} MiB (best of {o.PushRepeats}): raw Put Block {Fmt(mib / best[0], 0)} MiB/s, docker-style {Fmt(mib / best[1], 0)} MiB/s, chunked ({o.ChunkSize / Stats.MiB:F0} MiB) {Fmt(mib / best[2], 0)} MiB/s");
            docker.Add((size, best[0] / best[1]));
            chunked.Add((size, best[0] / best[2]));
        }

        ctx.Report.Raw($"Baseline for 1 and 2: the bench process stages the same bytes with Put Block ({tuning.BlockSize / Stats.MiB:F0} MiB blocks, {tuning.BlocksInFlight} in flight, the registry's own settings) through the registry's Blob adapter (Azure.Storage.Blobs) to the same Azurite, then Put Block List; no hashing, no HTTP hop");
        ctx.Report.Add(new FigureRow(1, "Docker-style push (one PATCH) vs raw Put Block", Ratios(docker), "≥ 0.8×", docker.All(d => d.Ratio >= 0.8)));
        ctx.Report.Add(new FigureRow(2, $"Chunked push ({o.ChunkSize / Stats.MiB:F0} MiB chunks) vs raw Put Block", Ratios(chunked), "≥ 0.7×", chunked.All(d => d.Ratio >= 0.7)));
        if (peakKiB is { } peak)
        {
            var mib = peak / 1024.0;
            ctx.Report.Raw($"Registry process during the {o.PushSizes.Max() / Stats.MiB:F0} MiB docker-style push: peak RSS {Fmt(peak / 1024.0, 0)} MiB");
            ctx.Report.Add(new FigureRow(7, $"Peak RSS of the registry during a {o.PushSizes.Max() / Stats.MiB:F0} MiB single-PATCH push", $"{Fmt(mib, 0)} MiB", "≤ 200 MiB", mib <= 200));
        }
        else
        {
            ctx.Report.Add(new FigureRow(7, "Peak RSS during a single-PATCH push", "skipped: needs the published registry (scripts/bench.sh)", "≤ 200 MiB", null));
        }

        CpuFigure.Report(ctx, o.PushSizes.Max(), largest!, cpuSeconds);
    }

    /// <summary>The baseline: Put Block of the same bytes, same block size and parallelism, then Put Block List.</summary>
    public static async Task RawUploadAsync(IBlobStore store, ReadOnlyMemory<byte> data, RegistryOptions tuning)
    {
        var blobName = "bench/raw-" + Guid.NewGuid().ToString("N");
        var nonce = (uint)Random.Shared.Next();
        var inFlight = new Queue<Task>();
        var ids = new List<string>();
        for (var offset = 0; offset < data.Length; offset += tuning.BlockSize)
        {
            var id = StorageLayout.BlockId(nonce, ids.Count);
            ids.Add(id);
            inFlight.Enqueue(store.StageBlockAsync(blobName, id, data.Slice(offset, Math.Min(tuning.BlockSize, data.Length - offset)), CancellationToken.None));
            if (inFlight.Count >= tuning.BlocksInFlight)
            {
                await inFlight.Dequeue();
            }
        }

        while (inFlight.Count > 0)
        {
            await inFlight.Dequeue();
        }

        await store.CommitBlocksAsync(blobName, ids, "application/octet-stream", CancellationToken.None);
    }

    /// <summary>Times <paramref name="push"/> while sampling the process's RSS; reports the peak in KiB and the CPU seconds it spent.</summary>
    private static async Task<TimeSpan> MeasurePeakAsync(ManagedProcess process, Func<Task> push, Action<long> peak, Action<double> cpu)
    {
        var reset = process.ResetPeak();
        using var stop = new CancellationTokenSource();
        long sampled = 0;
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                sampled = Math.Max(sampled, process.StatusKiB("VmRSS") ?? 0);
                await Task.Delay(20, CancellationToken.None);
            }
        });
        var cpuBefore = process.CpuSeconds();
        var time = await Stats.TimeAsync(push);
        cpu(process.CpuSeconds() - cpuBefore);
        await stop.CancelAsync();
        await sampler;
        // VmHWM is exact when the reset worked; otherwise it spans the process's life, so use the samples.
        var hwm = reset ? process.StatusKiB("VmHWM") ?? 0 : 0;
        peak(Math.Max(hwm, sampled));
        return time;
    }

    private static string Ratios(List<(long Size, double Ratio)> values) =>
        string.Join("; ", values.Select(v => $"{SizeLabel(v.Size)}: {Fmt(v.Ratio)}×"));

    public static string SizeLabel(long size) =>
        size >= 1024 * Stats.MiB ? $"{Fmt(size / 1024 / Stats.MiB, 0)} GiB" : size >= Stats.MiB ? $"{Fmt(size / Stats.MiB, 0)} MiB" : $"{size / 1024} KiB";
}
