using static ServerlessRegistry.Core.Tests.Registry.ListingTestData;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>Changes the process's time zone, so nothing else runs meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessTimeZoneCollection
{
    public const string Name = "process time zone";
}

/// <summary>A config's <c>created</c> reads the same on every machine.</summary>
[Collection(ProcessTimeZoneCollection.Name)]
public sealed class CreatedTimeTests
{
    [Fact]
    public async Task CreatedWithoutAnOffsetIsUtcWhateverTheMachinesTimeZone()
    {
        await using var harness = RegistryHarness.InMemory();
        var zone = Environment.GetEnvironmentVariable("TZ");
        try
        {
            Environment.SetEnvironmentVariable("TZ", "Asia/Kolkata");
            TimeZoneInfo.ClearCachedData();
            Assert.NotEqual(TimeSpan.Zero, TimeZoneInfo.Local.BaseUtcOffset); // the zone took effect: the test can fail
            await PushImageAsync(harness, "created/zone", "bare", Config("linux", "amd64", created: "2024-05-01T10:00:00"));
            await PushImageAsync(harness, "created/zone", "utc", Config("linux", "amd64", created: "2024-05-01T10:00:00Z"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", zone);
            TimeZoneInfo.ClearCachedData();
        }

        var tags = (await harness.Listing.ListTagsAsync("created/zone", None)).ToDictionary(t => t.Tag);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), tags["utc"].Summary.Created);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), tags["bare"].Summary.Created);
    }
}
