using ServerlessRegistry.Bench;

// scripts/bench.sh publishes the registry and the empty app, then runs this with their paths.
//   --quick            small sizes (seconds; not a measurement)
//   --registry <exe>   the ReadyToRun-published registry (else an in-process one; figures 7 and 8 are skipped)
//   --empty-app <exe>  the empty ASP.NET Core app published the same way (figure 8)
//   --peer             run figure 11 against Debian's docker-registry, and 13–16 with it as the cache's upstream
//   --results <path>   write the results page (bench/RESULTS.md)
//   --push-mib 200,1024  layer sizes of figures 1, 2 and 7
//   --only a,b         run only the figure groups whose names contain a or b (push, pull, hash, ...)
var options = args.Contains("--quick") ? BenchOptions.Quick : BenchOptions.Full;
for (var i = 0; i < args.Length; i++)
{
    options = args[i] switch
    {
        "--quick" => options,
        "--peer" => options with { Peer = true },
        "--registry" => options with { RegistryExe = Path.GetFullPath(args[++i]) },
        "--empty-app" => options with { EmptyAppExe = Path.GetFullPath(args[++i]) },
        "--push-mib" => options with { PushSizes = [.. args[++i].Split(',').Select(m => long.Parse(m, System.Globalization.CultureInfo.InvariantCulture) * 1024 * 1024)] },
        "--only" => options with { Only = args[++i].Split(',') },
        "--results" => options with { ResultsPath = Path.GetFullPath(args[++i]) },
        var other => throw new ArgumentException($"Unknown argument {other}"),
    };
}

var report = await BenchHarness.RunAsync(options, Console.Out);
// Failed figures fail the command; missed goals do not (they are the result being reported).
return report.Rows.Any(r => r.Value.StartsWith("FAILED", StringComparison.Ordinal)) ? 1 : 0;
