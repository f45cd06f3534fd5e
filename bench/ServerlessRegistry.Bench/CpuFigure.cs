using System.Diagnostics;
using System.Security.Cryptography;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figure 12: the registry process's CPU time per GiB of a single-PATCH push (user + system, from /proc, least of
/// the repeats), against the floor: SHA-256 alone over the same bytes in this process, which every push must pay.
/// Reported without a goal for now.
/// </summary>
internal static class CpuFigure
{
    public static void Report(BenchContext ctx, long size, byte[] data, double? registryCpuSeconds)
    {
        if (registryCpuSeconds is not { } cpu)
        {
            ctx.Report.Add(new FigureRow(12, "Registry CPU per GiB pushed vs SHA-256 alone", "skipped: needs the published registry (scripts/bench.sh)", "report", null));
            return;
        }

        var gib = size / (1024 * Stats.MiB);
        var floor = double.MaxValue;
        for (var r = 0; r < 3; r++)
        {
            // One thread hashing: its wall time is its CPU time.
            var watch = Stopwatch.StartNew();
            SHA256.HashData(data);
            floor = Math.Min(floor, watch.Elapsed.TotalSeconds);
        }

        var perGiB = cpu / gib;
        var floorPerGiB = floor / gib;
        ctx.Report.Raw($"CPU for the {PushFigures.SizeLabel(size)} single-PATCH push: registry {Fmt(cpu)} s ({Fmt(perGiB)} s/GiB); SHA-256 alone over the same bytes {Fmt(floor)} s ({Fmt(floorPerGiB)} s/GiB)");
        ctx.Report.Add(new FigureRow(12, $"Registry CPU seconds per GiB pushed (single PATCH, {PushFigures.SizeLabel(size)}) vs SHA-256 alone",
            $"{Fmt(perGiB)} s/GiB vs {Fmt(floorPerGiB)} s/GiB: {Fmt(perGiB / floorPerGiB)}×", "report (floor 1×)", null));
    }
}
