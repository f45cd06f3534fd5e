using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>Pulls are events only with Events:Pulls=true.</summary>
public sealed class PullEventTests(PullEventsServer fixture) : IClassFixture<PullEventsServer>
{
    [Fact]
    public async Task ManifestGetIsAPullEventWhenPullsAreOn()
    {
        var repository = $"team/pull{Guid.NewGuid():N}"[..17];
        var (_, digest) = await fixture.Server.Client.PushImageAsync(repository, "v1");
        using (var get = await fixture.Server.Client.GetAsync($"/v2/{repository}/manifests/v1"))
        {
            get.EnsureSuccessStatusCode();
        }

        var pull = await Eventually.GetAsync(() => fixture.Receiver.Events("all", repository).Where(e => e.GetProperty("action").GetString() == "pull").ToList(),
            e => e.Count >= 1, "the pull event");
        Assert.Equal(digest, Assert.Single(pull).GetProperty("target").GetProperty("digest").GetString());
        Assert.Equal("GET", pull[0].GetProperty("request").GetProperty("method").GetString());
        // The team webhook takes pushes and deletes only.
        await fixture.DrainedAsync();
        Assert.DoesNotContain(fixture.Receiver.Events("team", repository), e => e.GetProperty("action").GetString() == "pull");
    }
}
