using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>The pull-through cache's fill is an event, made by the registry itself.</summary>
public sealed class FillEventTests
{
    [Fact]
    public async Task AManifestFetchedFromTheUpstreamIsAFillEventByTheMirror()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var upstream = await RegistryServer.StartAsync();
        var (_, digest) = await upstream.Client.PushImageAsync("team/app", "1.0");
        await using var mirror = await RegistryServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mirror:Rules:0:Local"] = "up/*",
            ["Mirror:Rules:0:Upstream"] = $"http://{upstream.HostPort}/*",
            ["Events:Webhooks:0:Name"] = "fills",
            ["Events:Webhooks:0:Url"] = receiver.Url("fills").ToString(),
            ["Events:Webhooks:0:Actions:0"] = "fill",
        });

        using (var pull = await mirror.Client.GetAsync("/v2/up/team/app/manifests/1.0"))
        {
            pull.EnsureSuccessStatusCode();
        }

        var fill = Assert.Single(await Eventually.GetAsync(() => receiver.Events("fills", "up/team/app"), e => e.Count >= 1, "the fill event"));
        Assert.Equal("fill", fill.GetProperty("action").GetString());
        Assert.Equal(digest, fill.GetProperty("target").GetProperty("digest").GetString());
        Assert.Equal("mirror", fill.GetProperty("actor").GetProperty("name").GetString());
        Assert.False(fill.TryGetProperty("request", out _));
    }
}
