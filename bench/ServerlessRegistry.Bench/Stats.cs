using System.Diagnostics;

namespace ServerlessRegistry.Bench;

/// <summary>Timing helpers. Latencies are in milliseconds; throughput ratios compare best times.</summary>
internal static class Stats
{
    public const double MiB = 1024 * 1024;

    public static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }

    /// <summary>The q-quantile (0..1) of <paramref name="samples"/>, nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> samples, double q)
    {
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(q * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }

    public static double Median(IEnumerable<double> samples) => Percentile(samples.ToArray(), 0.5);

    public static double MiBps(long bytes, TimeSpan time) => bytes / MiB / time.TotalSeconds;

    /// <summary>Runs <paramref name="request"/> <paramref name="count"/> times in a row; returns each latency in ms.</summary>
    public static async Task<List<double>> LatenciesAsync(int count, Func<Task> request)
    {
        var samples = new List<double>(count);
        for (var i = 0; i < count; i++)
        {
            var watch = Stopwatch.StartNew();
            await request();
            samples.Add(watch.Elapsed.TotalMilliseconds);
        }

        return samples;
    }
}
