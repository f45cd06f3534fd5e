using Xunit.Abstractions;

[assembly: TestCollectionOrderer("ServerlessRegistry.Maintenance.Tests.LongestFirst", "ServerlessRegistry.Maintenance.Tests")]

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>
/// Starts the many-blob run (<see cref="StorageCallTests"/>, on an Azurite of its own) before the other classes, which
/// then share the remaining test slots while it runs; started last, it would run alone after them and add its whole time.
/// The other classes keep their discovery order. The order only schedules: no test depends on another.
/// </summary>
public sealed class LongestFirst : ITestCollectionOrderer
{
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(c => c.DisplayName.Contains(nameof(StorageCallTests), StringComparison.Ordinal) ? 0 : 1);
}
