using ServerlessRegistry.Bench;

namespace ServerlessRegistry.Api.Tests;

/// <summary>
/// The benchmark harness still runs end to end: quick mode, tiny sizes, an in-process registry. It checks that
/// every figure produced a row and none failed; it asserts nothing about timings (scripts/bench.sh measures).
/// </summary>
public sealed class BenchHarnessSmokeTests
{
    [Fact]
    public async Task QuickRunPrintsARowForEveryFigure()
    {
        var options = BenchOptions.Quick with
        {
            PushSizes = [1024 * 1024],
            LatencyRequests = 10,
            ParallelPushes = 2,
            ParallelPulls = 3,
        };
        using var log = new StringWriter();

        var report = await BenchHarness.RunAsync(options, log);

        Assert.Equal(Enumerable.Range(1, 22), report.Rows.Select(r => r.Number).Order());
        Assert.DoesNotContain(report.Rows, r => r.Value.StartsWith("FAILED", StringComparison.Ordinal));
        Assert.Contains("| 12 |", log.ToString(), StringComparison.Ordinal);
    }
}
