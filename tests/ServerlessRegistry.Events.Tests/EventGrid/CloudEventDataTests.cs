using System.Text.Json;
using ServerlessRegistry.Events.EventGrid;

namespace ServerlessRegistry.Events.Tests.EventGrid;

/// <summary>The CloudEvent's data is distribution's event as the webhook body has it: absent parts are left out, not null.</summary>
public sealed class CloudEventDataTests
{
    [Fact]
    public void DataOmitsWhatTheEventLacks()
    {
        var e = new RegistryEvent
        {
            Id = Guid.NewGuid().ToString(),
            Timestamp = DateTimeOffset.UnixEpoch,
            Action = "delete",
            Target = new EventTarget { Digest = "", Repository = "team/app", Tag = "v1" },
        };

        var data = JsonDocument.Parse(RegistryCloudEvents.From(e, "/registries/example.org").Data!.ToString()).RootElement;

        Assert.Equal(e.Id, data.GetProperty("id").GetString());
        Assert.Equal("team/app", data.GetProperty("target").GetProperty("repository").GetString());
        Assert.Equal(["action", "id", "target", "timestamp"], data.EnumerateObject().Select(p => p.Name).Order());
    }
}
