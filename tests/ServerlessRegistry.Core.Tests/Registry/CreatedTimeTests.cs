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
            // One repository each: a listing carries the created time of its newest tag only.
            await PushImageAsync(harness, "created/zone-bare", "bare", Config("linux", "amd64", created: "2024-05-01T10:00:00"));
            await PushImageAsync(harness, "created/zone-utc", "utc", Config("linux", "amd64", created: "2024-05-01T10:00:00Z"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("TZ", zone);
            TimeZoneInfo.ClearCachedData();
        }

        var utc = Assert.Single(await harness.Listing.ListTagsAsync("created/zone-utc", None));
        var bare = Assert.Single(await harness.Listing.ListTagsAsync("created/zone-bare", None));
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), utc.Summary.Created);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), bare.Summary.Created);
    }
}
