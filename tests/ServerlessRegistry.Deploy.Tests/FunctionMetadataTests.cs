using System.Text.Json;
using ServerlessRegistry.Functions;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// What the Functions host will index, read without the host: the metadata the worker SDK's source generator emits
/// (the host asks the worker for it) and host.json.
/// </summary>
public sealed class FunctionMetadataTests
{
    private static readonly string[] EveryApiMethod = ["get", "head", "post", "put", "patch", "delete", "options"];

    private static async Task<Dictionary<string, JsonElement>> TriggersAsync()
    {
        var metadata = await new GeneratedFunctionMetadataProvider().GetFunctionMetadataAsync("");
        return metadata.ToDictionary(
            f => f.Name!,
            f => f.RawBindings!.Select(b => JsonDocument.Parse(b).RootElement.Clone())
                .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task WorkerDeclaresOneHttpFunctionFourTimersAndTheEventsQueue()
    {
        var triggers = await TriggersAsync();
        Assert.Equal(["CollectGarbage", "DeliverEvents", "ExpireUploads", "PrefetchMirror", "Registry", "SyncReplication"], triggers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("timerTrigger", triggers["PrefetchMirror"].GetProperty("type").GetString());
        Assert.Equal("httpTrigger", triggers["Registry"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["CollectGarbage"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["ExpireUploads"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["SyncReplication"].GetProperty("type").GetString());
        Assert.Equal("queueTrigger", triggers["DeliverEvents"].GetProperty("type").GetString());
    }

    [Fact]
    public async Task EventsFunctionReadsTheQueueTheAppSettingsName()
    {
        var queue = (await TriggersAsync())["DeliverEvents"];
        // Both resolved from app settings (function-settings.bicep): EventsQueueName, and the EventsQueue__* connection.
        Assert.Equal("%EventsQueueName%", queue.GetProperty("queueName").GetString());
        Assert.Equal("EventsQueue", queue.GetProperty("connection").GetString());
        var settings = InfraTests.AppSettingsOf(BicepCli.Snapshot(InfraTests.DefaultParameters));
        Assert.Contains("EventsQueueName", settings.Keys);
        Assert.Contains(settings.Keys, k => k.StartsWith("EventsQueue__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HttpFunctionIsAnonymousCatchAllForEveryMethodTheApiUses()
    {
        var http = (await TriggersAsync())["Registry"];
        Assert.Equal("Anonymous", http.GetProperty("authLevel").GetString());
        Assert.Equal("{*path}", http.GetProperty("route").GetString());
        // HEAD must be listed: a trigger that lists GET without HEAD answers HEAD with 404.
        var methods = http.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!.ToLowerInvariant()).ToHashSet();
        Assert.Equal(EveryApiMethod.ToHashSet(), methods);
    }

    [Fact]
    public async Task TimersRunGarbageCollectionDailyUploadExpiryHourlyAndPrefetchEverySixHours()
    {
        var triggers = await TriggersAsync();
        Assert.Equal("0 45 */6 * * *", triggers["PrefetchMirror"].GetProperty("schedule").GetString());
        Assert.Equal("0 30 3 * * *", triggers["CollectGarbage"].GetProperty("schedule").GetString());
        Assert.Equal("0 15 * * * *", triggers["ExpireUploads"].GetProperty("schedule").GetString());
        Assert.All(triggers.Values.Where(t => t.TryGetProperty("runOnStartup", out _)),
            t => Assert.False(t.GetProperty("runOnStartup").GetBoolean()));
    }

    [Fact]
    public void HostJsonKeepsTheApiAtTheRoot()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("host.json")));
        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.False(host.RootElement.TryGetProperty("customHandler", out _));
        Assert.False(host.RootElement.TryGetProperty("extensionBundle", out _));
    }

    [Fact]
    public void HostJsonPollsTheEventsQueueOftenAndGivesUpAfterFiveTries()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(RepoRoot.Combine("host.json")));
        var queues = host.RootElement.GetProperty("extensions").GetProperty("queues");
        // An idle queue is polled at least every 2 s (the default backs off to a minute): the delay of a first event.
        Assert.Equal(TimeSpan.FromSeconds(2), TimeSpan.Parse(queues.GetProperty("maxPollingInterval").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        // A failed run is retried after 30 s; after five the host moves the message to {queue}-poison, the dead letters.
        Assert.Equal(TimeSpan.FromSeconds(30), TimeSpan.Parse(queues.GetProperty("visibilityTimeout").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(5, queues.GetProperty("maxDequeueCount").GetInt32());
        Assert.Equal(16, queues.GetProperty("batchSize").GetInt32());
    }
}
