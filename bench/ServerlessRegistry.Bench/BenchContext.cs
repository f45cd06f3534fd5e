namespace ServerlessRegistry.Bench;

/// <summary>What every figure needs: the options, the report, the registry under test and a storage client.</summary>
internal sealed class BenchContext(BenchOptions options, BenchReport report, RegistryTarget target) : IDisposable
{
    public BenchOptions Options { get; } = options;
    public BenchReport Report { get; } = report;

    /// <summary>The registry figures 1–4, 5 (latency), 7 and 10 measure.</summary>
    public RegistryTarget Target { get; } = target;

    /// <summary>Downloads from storage (SAS URLs), separate from the registry client as a real client's would be.</summary>
    public HttpClient Storage { get; } = RegistryTarget.NewClient();

    public void Dispose() => Storage.Dispose();
}
