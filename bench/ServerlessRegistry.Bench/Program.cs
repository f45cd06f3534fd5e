Console.WriteLine("ServerlessRegistry benchmarks: see scripts/bench.sh");
