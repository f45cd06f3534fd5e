using static ServerlessRegistry.Core.Tests.Registry.ListingTestData;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>The repositories page reads a bounded number of catalog rows per call; on Azurite and in memory.</summary>
public sealed class RepositoryListingScanTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFilterThatMatchesLittleStopsAtTheScanLimitAndContinuesAfterTheLastNameScanned(bool azurite)
    {
        await using var harness = azurite ? await RegistryHarness.StartAsync() : RegistryHarness.InMemory();
        var names = Enumerable.Range(0, 12).Select(i => $"scan/r{i:00}").ToList();
        foreach (var name in names)
        {
            await harness.Catalog.EnsureListedAsync(name, None);
        }

        // Only r10 and r11 contain "r1", and r10 is hidden.
        bool Visible(string name) => name != "scan/r10";
        const string filter = "R1";
        var seen = new List<string>();
        var calls = new List<int>();
        string? after = null;
        do
        {
            var page = await harness.Listing.ListRepositoriesAsync(after, 50, filter, Visible, None, scanLimit: 5);
            seen.AddRange(page.Repositories.Select(r => r.Name));
            calls.Add(page.Repositories.Count);
            Assert.True(page.Next is null || string.CompareOrdinal(page.Next, after) > 0);
            after = page.Next;
        }
        while (after is not null && calls.Count < 10);

        Assert.Equal(["scan/r11"], seen);
        Assert.Equal([0, 0, 1], calls); // rows r00-r04, r05-r09, then r10-r11 and the end
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFullPageBeforeTheScanLimitEndsAsBefore(bool azurite)
    {
        await using var harness = azurite ? await RegistryHarness.StartAsync() : RegistryHarness.InMemory();
        foreach (var i in Enumerable.Range(0, 4))
        {
            await harness.Catalog.EnsureListedAsync($"full/r{i}", None);
        }

        var first = await harness.Listing.ListRepositoriesAsync(null, 2, "full/", _ => true, None, scanLimit: 100);
        Assert.Equal(["full/r0", "full/r1"], first.Repositories.Select(r => r.Name));
        Assert.Equal("full/r1", first.Next);
        var last = await harness.Listing.ListRepositoriesAsync(first.Next, 2, "full/", _ => true, None, scanLimit: 100);
        Assert.Equal(["full/r2", "full/r3"], last.Repositories.Select(r => r.Name));
        Assert.Null(last.Next);
    }
}
