using System.Net;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Mirror.Upstream;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// Manifests through a cache rule, over HTTP, with another instance of this registry as the upstream: a tag is fetched
/// once, served from the cache within its check interval, checked with one HEAD after it, and served from the cache when
/// the upstream is gone. Pushes under the prefix are refused; containerd's ?ns= picks the rule.
/// </summary>
public sealed class MirrorManifestFlowTests
{
    private static async Task<RegistryServer> StartMirrorAsync(RegistryServer upstream, TimeProvider? clock = null, string? ns = null, string upstreamAddress = "")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mirror:Rules:0:Local"] = "up/*",
            ["Mirror:Rules:0:Upstream"] = (upstreamAddress.Length > 0 ? upstreamAddress : "http://" + upstream.HostPort) + "/*",
            ["Mirror:Rules:0:Timeout"] = "00:00:10",
            ["Mirror:Rules:0:Namespace"] = ns,
        };
        return await RegistryServer.StartAsync(settings, clock is null ? null : s => s.AddSingleton(clock));
    }

    private static long UpstreamCalls(RegistryServer mirror) => ((UpstreamClient)mirror.Services.GetRequiredService<IUpstreamRegistry>()).RequestsSent;

    [Fact]
    public async Task APullByTagFetchesOnceAndIsServedFromTheCacheWithinTheInterval()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var (manifest, digest) = await upstream.Client.PushImageAsync("team/app", "1.0");
        await using var mirror = await StartMirrorAsync(upstream);

        using var first = await mirror.Client.GetAsync("/v2/up/team/app/manifests/1.0");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(manifest, await first.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest, first.Headers.GetValues("Docker-Content-Digest").Single());
        var afterFirst = UpstreamCalls(mirror);
        Assert.True(afterFirst > 0);

        using var again = await mirror.Client.GetAsync("/v2/up/team/app/manifests/1.0");
        using var head = await mirror.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/up/team/app/manifests/1.0"));
        using var byDigest = await mirror.Client.GetAsync("/v2/up/team/app/manifests/" + digest);
        Assert.Equal(manifest, await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(manifest, await byDigest.Content.ReadAsByteArrayAsync());
        Assert.Equal(afterFirst, UpstreamCalls(mirror));

        Assert.Contains("\"1.0\"", await mirror.Client.GetStringAsync("/v2/up/team/app/tags/list"));
    }

    [Fact]
    public async Task ACacheHitWithinTheIntervalCostsTheStorageCallsOfALocalPullAndNoUpstreamCall()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var (manifest, _) = await upstream.Client.PushImageAsync("team/app", "1.0");
        var storage = new StoragePipelineCounter();
        await using var mirror = await RegistryServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mirror:Rules:0:Local"] = "up/*",
            ["Mirror:Rules:0:Upstream"] = $"http://{upstream.HostPort}/*",
        }, s => s.AddSingleton<HttpPipelinePolicy>(storage));
        await mirror.Client.PushImageAsync("local/app", "1.0");
        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/1.0"));
        // Both pulls' times recorded already (the first pull of a day costs a read off the request path): compare warm pulls.
        await mirror.Client.GetByteArrayAsync("/v2/local/app/manifests/1.0");
        await mirror.Services.GetRequiredService<PullRecorder>().WhenIdleAsync();
        // The push and the fill each started a background recount of their repository's figures: let them end uncounted.
        await mirror.Services.GetRequiredService<RepositoryStats>().WhenIdleAsync("local/app");
        await mirror.Services.GetRequiredService<RepositoryStats>().WhenIdleAsync("up/team/app");

        storage.Reset();
        await mirror.Client.GetByteArrayAsync("/v2/local/app/manifests/1.0");
        var local = storage.Count;
        storage.Reset();
        var calls = UpstreamCalls(mirror);
        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/1.0"));

        Assert.Equal(1, local);
        Assert.Equal(local, storage.Count);
        Assert.Equal(calls, UpstreamCalls(mirror));
    }

    [Fact]
    public async Task ATagMovedUpstreamIsSeenAfterTheIntervalAndNotBefore()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var (v1, _) = await upstream.Client.PushImageAsync("team/app", "latest");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mirror = await StartMirrorAsync(upstream, clock);
        Assert.Equal(v1, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/latest"));

        var (v2, digest2) = await upstream.Client.PushImageAsync("team/app", "latest");
        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(v1, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/latest"));

        clock.Advance(TimeSpan.FromMinutes(2));
        var calls = UpstreamCalls(mirror);
        using var moved = await mirror.Client.GetAsync("/v2/up/team/app/manifests/latest");
        Assert.Equal(v2, await moved.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest2, moved.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.True(UpstreamCalls(mirror) > calls);

        // Unchanged upstream after another interval: one HEAD, no GET, same answer.
        clock.Advance(TimeSpan.FromMinutes(6));
        calls = UpstreamCalls(mirror);
        Assert.Equal(v2, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/latest"));
        Assert.Equal(calls + 1, UpstreamCalls(mirror));
    }

    [Fact]
    public async Task CachedTagsAndDigestsStillPullWhenTheUpstreamIsStopped()
    {
        var upstream = await RegistryServer.StartAsync();
        var (manifest, digest) = await upstream.Client.PushImageAsync("team/app", "1.0");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mirror = await StartMirrorAsync(upstream, clock);
        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/1.0"));

        await upstream.DisposeAsync();
        clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/1.0"));
        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/" + digest));
        using var missing = await mirror.Client.GetAsync("/v2/up/team/app/manifests/2.0");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, missing.StatusCode);
        Assert.Equal("UNAVAILABLE", await missing.ErrorCodeAsync());
    }

    [Fact]
    public async Task UnknownUpstreamContentIsNotFound()
    {
        await using var upstream = await RegistryServer.StartAsync();
        await using var mirror = await StartMirrorAsync(upstream);

        using var tag = await mirror.Client.GetAsync("/v2/up/team/none/manifests/1.0");
        using var digest = await mirror.Client.GetAsync("/v2/up/team/none/manifests/sha256:" + new string('a', 64));

        Assert.Equal(HttpStatusCode.NotFound, tag.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await tag.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.NotFound, digest.StatusCode);
    }

    [Fact]
    public async Task PushesUnderACachePrefixAreDeniedAndDeletesAreAllowed()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var (_, digest) = await upstream.Client.PushImageAsync("team/app", "1.0");
        await using var mirror = await StartMirrorAsync(upstream);
        await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/1.0");

        using var start = await mirror.Client.PostAsync("/v2/up/team/app/blobs/uploads/", null);
        using var put = await mirror.Client.PutManifestAsync("up/team/app", "2.0", OciHttp.ImageManifest("sha256:" + new string('b', 64), 1, "sha256:" + new string('c', 64), 1));
        Assert.Equal(HttpStatusCode.Forbidden, start.StatusCode);
        Assert.Equal("DENIED", await start.ErrorCodeAsync());
        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Equal("DENIED", await put.ErrorCodeAsync());

        using var delete = await mirror.Client.DeleteAsync("/v2/up/team/app/manifests/" + digest);
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);

        // Outside the prefix the registry is as writable as ever.
        await mirror.Client.PushImageAsync("local/app", "1.0");
    }

    [Fact]
    public async Task ContainerdsNamespaceParameterPicksTheRule()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var (manifest, digest) = await upstream.Client.PushImageAsync("library/nginx", "1.27");
        await using var mirror = await StartMirrorAsync(upstream, ns: "docker.example");

        using var head = await mirror.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/library/nginx/manifests/1.27?ns=docker.example"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(digest, head.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/library/nginx/manifests/" + digest + "?ns=docker.example"));

        // The cached copy lives under the rule's prefix; without ns the bare name is an ordinary local repository.
        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/up/library/nginx/manifests/1.27"));
        using var local = await mirror.Client.GetAsync("/v2/library/nginx/manifests/1.27");
        Assert.Equal(HttpStatusCode.NotFound, local.StatusCode);
    }
}
