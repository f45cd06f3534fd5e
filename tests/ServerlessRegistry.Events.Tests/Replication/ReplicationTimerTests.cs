using System.Text.Json;
using ServerlessRegistry.Functions;

namespace ServerlessRegistry.Events.Tests.Replication;

/// <summary>The sync's timer as the Functions host indexes it (the worker SDK's generated metadata).</summary>
public sealed class ReplicationTimerTests
{
    [Fact]
    public async Task WorkerDeclaresTheDailySyncTimer()
    {
        var metadata = await new GeneratedFunctionMetadataProvider().GetFunctionMetadataAsync("");
        var function = Assert.Single(metadata, f => f.Name == ReplicationFunctions.SyncName);
        var trigger = function.RawBindings!.Select(b => JsonDocument.Parse(b).RootElement.Clone())
            .Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));
        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("0 15 3 * * *", trigger.GetProperty("schedule").GetString());
        Assert.False(trigger.TryGetProperty("runOnStartup", out var onStart) && onStart.GetBoolean());
    }
}
