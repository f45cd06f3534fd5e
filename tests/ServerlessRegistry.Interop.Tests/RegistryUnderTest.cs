namespace ServerlessRegistry.Interop.Tests;

/// <summary>A running registry the clients talk to over plain HTTP. The tests know nothing else about it.</summary>
public interface IRegistryUnderTest : IAsyncDisposable
{
    /// <summary>"127.0.0.1:&lt;port&gt;", the host part of image references.</summary>
    string HostPort { get; }

    /// <summary>An HttpClient whose BaseAddress is the registry root.</summary>
    HttpClient Client { get; }

    /// <summary>Whatever the registry logged, for failure messages; empty when it logs elsewhere.</summary>
    string Log { get; }
}

/// <summary>
/// One registry per test class. The target is our own server; set INTEROP_REGISTRY=distribution to run the
/// same tests against CNCF distribution (Debian's docker-registry) as a reference.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    private IRegistryUnderTest? _registry;

    public IRegistryUnderTest Registry => _registry ?? throw new InvalidOperationException("The registry has not started.");

    public static bool IsDistribution => Environment.GetEnvironmentVariable("INTEROP_REGISTRY") == "distribution";

    public async Task InitializeAsync() =>
        _registry = IsDistribution ? await DistributionRegistry.StartAsync() : await ServerlessRegistryUnderTest.StartAsync();

    public async Task DisposeAsync()
    {
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }
    }
}
