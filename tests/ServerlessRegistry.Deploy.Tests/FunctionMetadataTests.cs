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
    public async Task WorkerDeclaresOneHttpFunctionAndThreeTimers()
    {
        var triggers = await TriggersAsync();
        Assert.Equal(["CollectGarbage", "ExpireUploads", "PrefetchMirror", "Registry"], triggers.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("timerTrigger", triggers["PrefetchMirror"].GetProperty("type").GetString());
        Assert.Equal("httpTrigger", triggers["Registry"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["CollectGarbage"].GetProperty("type").GetString());
        Assert.Equal("timerTrigger", triggers["ExpireUploads"].GetProperty("type").GetString());
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
}
