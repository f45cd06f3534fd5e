using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Api;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>
/// Events from real requests, delivered by the standalone loop to webhooks on loopback: the envelope, its media type
/// and signature, and each action's event. One registry and receiver for the class; each test uses its own repositories.
/// </summary>
public sealed class WebhookEventTests(EventsServer fixture) : IClassFixture<EventsServer>
{
    private HttpClient Client => fixture.Server.Client;

    private static string NewRepository(string under = "team") => $"{under}/app{Guid.NewGuid():N}"[..(under.Length + 12)];

    [Fact]
    public async Task MultiTagPushIsOneSignedEnvelopeWithAnEventPerTag()
    {
        var repository = NewRepository();
        var (config, layer) = (Encoding.UTF8.GetBytes("{}"), OciHttp.RandomBytes(100));
        var manifest = OciHttp.ImageManifest(await Client.PushBlobAsync(repository, config), config.Length, await Client.PushBlobAsync(repository, layer), layer.Length);
        using var put = await Client.PutManifestAsync(repository, "v1?tag=latest", manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var digest = OciHttp.Sha256(manifest);

        var events = await Eventually.GetAsync(() => fixture.Receiver.Events("all", repository), e => e.Count >= 2, "two push events");
        var delivery = Assert.Single(fixture.Receiver.Accepted, r => r.Hook == "all" && r.Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(repository)) >= 0);

        Assert.Equal(EventEnvelope.MediaType, delivery.Headers["Content-Type"]);
        Assert.Equal("Bearer hook-token", delivery.Headers["Authorization"]);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(EventsServer.Secret), delivery.Body));
        Assert.Equal(expected, delivery.Headers["X-Registry-Signature-256"]);

        Assert.Equal(["latest", "v1"], events.Select(e => e.GetProperty("target").GetProperty("tag").GetString()).Order());
        Assert.Equal(2, events.Select(e => e.GetProperty("id").GetString()).Distinct().Count());
        foreach (var e in events)
        {
            Assert.Equal("push", e.GetProperty("action").GetString());
            Assert.True(Guid.TryParse(e.GetProperty("id").GetString(), out _));
            Assert.True(e.GetProperty("timestamp").TryGetDateTimeOffset(out _));
            var target = e.GetProperty("target");
            Assert.Equal(OciHttp.OciManifest, target.GetProperty("mediaType").GetString());
            Assert.Equal(digest, target.GetProperty("digest").GetString());
            Assert.Equal(manifest.Length, target.GetProperty("size").GetInt64());
            Assert.Equal(manifest.Length, target.GetProperty("length").GetInt64());
            Assert.Equal($"http://{fixture.Server.HostPort}/v2/{repository}/manifests/{digest}", target.GetProperty("url").GetString());
            var request = e.GetProperty("request");
            Assert.Equal("PUT", request.GetProperty("method").GetString());
            Assert.Equal(fixture.Server.HostPort, request.GetProperty("host").GetString());
            Assert.Equal("127.0.0.1", request.GetProperty("addr").GetString());
            Assert.Equal("anonymous", e.GetProperty("actor").GetProperty("name").GetString());
            Assert.False(string.IsNullOrEmpty(e.GetProperty("source").GetProperty("instanceID").GetString()));
        }

        // The filtered webhook wants pushes under team/**: it gets the same events, with the same ids.
        var team = await Eventually.GetAsync(() => fixture.Receiver.Events("team", repository), e => e.Count >= 2, "the team webhook's events");
        Assert.Equal(events.Select(Id).Order(), team.Select(Id).Order());
    }

    [Fact]
    public async Task DeletesByTagAndByDigestAreEvents()
    {
        var repository = NewRepository();
        var (_, digest) = await Client.PushImageAsync(repository, "v1");
        using (var byTag = await Client.DeleteAsync($"/v2/{repository}/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.Accepted, byTag.StatusCode);
        }

        using (var byDigest = await Client.DeleteAsync($"/v2/{repository}/manifests/{digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, byDigest.StatusCode);
        }

        var deletes = await Eventually.GetAsync(() => fixture.Receiver.Events("all", repository).Where(e => Action(e) == "delete").ToList(), e => e.Count >= 2, "two delete events");
        var tagDelete = Assert.Single(deletes, e => e.GetProperty("target").TryGetProperty("tag", out _));
        Assert.Equal("v1", tagDelete.GetProperty("target").GetProperty("tag").GetString());
        Assert.Equal("", tagDelete.GetProperty("target").GetProperty("digest").GetString());
        Assert.EndsWith($"/v2/{repository}/manifests/v1", tagDelete.GetProperty("target").GetProperty("url").GetString());
        var digestDelete = Assert.Single(deletes, e => !e.GetProperty("target").TryGetProperty("tag", out _));
        Assert.Equal(digest, digestDelete.GetProperty("target").GetProperty("digest").GetString());
        Assert.Equal("DELETE", digestDelete.GetProperty("request").GetProperty("method").GetString());
        // Each destination is delivered to on its own, so the team hook may hear of them a moment after the other.
        var teamDeletes = await Eventually.GetAsync(() => fixture.Receiver.Events("team", repository).Where(e => Action(e) == "delete").ToList(), e => e.Count >= 2, "two delete events for the team hook");
        Assert.Equal(2, teamDeletes.Count);
    }

    [Fact]
    public async Task MountIsAnEventForWebhooksThatWantIt()
    {
        var (from, to) = (NewRepository(), NewRepository());
        var blob = await Client.PushBlobAsync(from, OciHttp.RandomBytes(64));
        using var mount = await Client.PostAsync($"/v2/{to}/blobs/uploads/?mount={blob}&from={from}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);

        var e = Assert.Single(await Eventually.GetAsync(() => fixture.Receiver.Events("all", to), x => x.Count >= 1, "the mount event"));
        Assert.Equal("mount", Action(e));
        Assert.Equal(blob, e.GetProperty("target").GetProperty("digest").GetString());
        Assert.Equal(from, e.GetProperty("target").GetProperty("fromRepository").GetString());
        Assert.EndsWith($"/v2/{to}/blobs/{blob}", e.GetProperty("target").GetProperty("url").GetString());

        await fixture.DrainedAsync();
        Assert.Empty(fixture.Receiver.Events("team", to));
    }

    [Fact]
    public async Task RepositoryFilterKeepsOtherRepositoriesFromTheFilteredWebhook()
    {
        var repository = NewRepository("other");
        await Client.PushImageAsync(repository, "v1");

        await Eventually.GetAsync(() => fixture.Receiver.Events("all", repository), e => e.Count >= 1, "the push event");
        await fixture.DrainedAsync();
        Assert.Empty(fixture.Receiver.Events("team", repository));
    }

    [Fact]
    public async Task RefusedPushQueuesNoEvent()
    {
        var repository = NewRepository();
        // The manifest names blobs that were never pushed: the registry refuses it, so nothing was stored and nothing is told.
        var manifest = OciHttp.ImageManifest(OciHttp.Sha256([1]), 1, OciHttp.Sha256([2]), 1);
        using var put = await Client.PutManifestAsync(repository, "v1", manifest);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        // A later accepted push to the same repository is delivered; the refused one never is.
        await Client.PushImageAsync(repository, "v2");

        var events = await Eventually.GetAsync(() => fixture.Receiver.Events("all", repository), e => e.Count >= 1, "the accepted push");
        await fixture.DrainedAsync();
        Assert.Equal("v2", Assert.Single(fixture.Receiver.Events("all", repository)).GetProperty("target").GetProperty("tag").GetString());
        Assert.Single(events);
    }

    [Fact]
    public async Task ReceiverDownForAWhileGetsEveryEventOnceBack()
    {
        var repository = NewRepository();
        await fixture.Receiver.StopAsync();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await Client.PushImageAsync(repository, $"v{i}");
            }

            await Eventually.GetAsync(() => fixture.Logs.Lines.Count(l => l.Message.Contains("Delivery to webhook:all failed", StringComparison.Ordinal)), n => n >= 3, "failed tries");
        }
        finally
        {
            await fixture.Receiver.StartAgainAsync();
        }

        await fixture.DrainedAsync();
        var events = fixture.Receiver.Events("all", repository);
        Assert.Equal(["v0", "v1", "v2"], events.Select(e => e.GetProperty("target").GetProperty("tag").GetString()).Distinct().Order());
        // At least once: a duplicate, if any, carries the id of the event it repeats.
        Assert.All(events.GroupBy(Id), g => Assert.Single(g.Select(e => e.GetProperty("target").GetProperty("tag").GetString()).Distinct()));
        Assert.Equal(3, events.Select(Id).Distinct().Count());
        Assert.Equal(0, await fixture.QueueStore.CountAsync(fixture.Queues.DeadLetter, default));
    }

    [Fact]
    public async Task ManifestGetIsNoEventByDefault()
    {
        var events = fixture.Server.Services.GetRequiredService<IRegistryEvents>();
        Assert.False(events.Wants(ChangeAction.Pull));
        Assert.True(events.Wants(ChangeAction.Push));

        var repository = $"team/nopull{Guid.NewGuid():N}"[..19];
        await fixture.Server.Client.PushImageAsync(repository, "v1");
        using (var get = await fixture.Server.Client.GetAsync($"/v2/{repository}/manifests/v1"))
        {
            get.EnsureSuccessStatusCode();
        }

        await Eventually.GetAsync(() => fixture.Receiver.Events("all", repository), e => e.Count >= 1, "the push event");
        await fixture.DrainedAsync();
        Assert.DoesNotContain(fixture.Receiver.Events("all", repository), e => e.GetProperty("action").GetString() == "pull");
    }

    [Fact]
    public async Task AnAbortedRequestStillQueuesTheEventsOfItsStoredChange()
    {
        var repository = NewRepository();
        var events = fixture.Server.Services.GetRequiredService<IRegistryEvents>();
        using var aborted = new CancellationTokenSource();
        await aborted.CancelAsync();

        await events.PublishAsync([new RegistryChange(ChangeAction.Delete, repository, OciHttp.Sha256([3]))], ChangeOrigin.Registry("retention"), aborted.Token);

        var e = Assert.Single(await Eventually.GetAsync(() => fixture.Receiver.Events("all", repository), x => x.Count >= 1, "the delete event"));
        Assert.Equal("retention", e.GetProperty("actor").GetProperty("name").GetString());
        Assert.False(e.TryGetProperty("request", out _));
    }

    private static string Action(JsonElement e) => e.GetProperty("action").GetString()!;

    private static string Id(JsonElement e) => e.GetProperty("id").GetString()!;
}
