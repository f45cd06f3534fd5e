using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Mirror.Fill;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Testing.Upstreams;
using static ServerlessRegistry.Mirror.Tests.MirrorClientTests;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// Faults through the registry's HTTP API: an upstream that rate-limits or serves wrong bytes, twenty clients missing
/// the same image at once, a client leaving in the middle of a stream-through fill, and a push under a cache prefix.
/// </summary>
public sealed class MirrorFaultTests
{
    private static async Task<bool> IndexedAsync(RegistryServer mirror, string digest)
    {
        var storage = mirror.Services.GetRequiredService<RegistryStorage>();
        return await storage.Metadata.GetAsync(storage.Layout.BlobIndexTable, digest, "", CancellationToken.None) is not null;
    }

    private static async Task<int> CommittedDataBlobsAsync(RegistryServer mirror)
    {
        var storage = mirror.Services.GetRequiredService<RegistryStorage>();
        var count = 0;
        await foreach (var blob in storage.Blobs.ListAsync(StorageLayout.DataPrefix, CancellationToken.None))
        {
            count += blob.Committed ? 1 : 0;
        }

        return count;
    }

    [Fact]
    public async Task ARateLimitedUpstreamLeavesCachedBlobsServedAndPassesItsRetryAfterOnForOthers()
    {
        await using var upstream = await RedirectingUpstream.StartAsync();
        var cached = upstream.AddBlob(OciHttp.RandomBytes(10_000));
        var uncached = upstream.AddBlob(OciHttp.RandomBytes(10_000));
        await using var mirror = await StartMirrorAsync(upstream.BaseAddress.Authority);
        using (var first = await mirror.Client.GetAsync($"/v2/up/library/app/blobs/{cached}"))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, first.StatusCode);
        }

        await WhenFilledAsync(mirror);
        upstream.RateLimitSeconds = 7;

        await AssertServedFromOwnStorageAsync(mirror, "up/library/app", cached);
        using var get = await mirror.Client.GetAsync($"/v2/up/library/app/blobs/{uncached}");
        using var head = await mirror.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/up/library/app/blobs/{uncached}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, get.StatusCode);
        Assert.Equal("TOOMANYREQUESTS", await get.ErrorCodeAsync());
        Assert.Equal(TimeSpan.FromSeconds(7), get.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, head.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), head.Headers.RetryAfter?.Delta);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WrongBytesFromTheUpstreamReachNoClientIntactAndAreNeverStored(bool serveBytes)
    {
        await using var upstream = await RedirectingUpstream.StartAsync();
        upstream.ServeBytes = serveBytes;
        upstream.WrongBytes = true;
        var digest = upstream.AddBlob(OciHttp.RandomBytes(300_000));
        await using var mirror = await StartMirrorAsync(upstream.BaseAddress.Authority);
        var url = $"/v2/up/library/bad/blobs/{digest}";

        using var client = new HttpClient { BaseAddress = mirror.BaseAddress };
        if (serveBytes)
        {
            // Stream-through: the last bytes are held back until the digest is known, then the response is aborted.
            await Assert.ThrowsAnyAsync<Exception>(() => client.GetByteArrayAsync(url));
        }
        else
        {
            // Redirect: the client reads the upstream's location itself and checks the digest (as every client does).
            Assert.NotEqual(digest, OciHttp.Sha256(await client.GetByteArrayAsync(url)));
        }

        await WhenFilledAsync(mirror);
        Assert.False(await IndexedAsync(mirror, digest));
        Assert.Equal(0, await CommittedDataBlobsAsync(mirror));

        // Still a miss: HEAD asks the upstream again instead of answering from storage, and GET never points at our storage.
        var upstreamPath = $"/v2/library/bad/blobs/{digest}";
        var asked = upstream.Requests(upstreamPath);
        using var head = await mirror.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal(asked + 1, upstream.Requests(upstreamPath));
        using var again = await mirror.Client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
        Assert.DoesNotContain(mirror.Prefix, again.Headers.Location?.AbsoluteUri ?? "", StringComparison.Ordinal);
        Assert.Equal(serveBytes ? HttpStatusCode.OK : HttpStatusCode.TemporaryRedirect, again.StatusCode);
    }

    [Fact]
    public async Task TwentyConcurrentFirstPullsOfOneImageGetTheRightBytesAndFillEachBlobOnce()
    {
        await using var distribution = await DistributionUpstream.StartAsync();
        var (manifest, _) = await distribution.PushImageAsync("team/app", "1.0", layerSize: 1024 * 1024);
        await using var mirror = await StartMirrorAsync(distribution.HostPort);
        using var json = JsonDocument.Parse(manifest);
        var blobs = json.RootElement.GetProperty("layers").EnumerateArray().Append(json.RootElement.GetProperty("config"))
            .Select(d => d.GetProperty("digest").GetString()!).ToList();

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pulls = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            using var client = new HttpClient { BaseAddress = mirror.BaseAddress };
            await start.Task;
            Assert.Equal(manifest, await client.GetByteArrayAsync("/v2/up/team/app/manifests/1.0"));
            foreach (var blob in blobs)
            {
                Assert.Equal(blob, OciHttp.Sha256(await client.GetByteArrayAsync($"/v2/up/team/app/blobs/{blob}")));
            }
        })).ToList();
        start.SetResult();
        await Task.WhenAll(pulls);

        await WhenFilledAsync(mirror);
        Assert.Equal(blobs.Count, await CommittedDataBlobsAsync(mirror));
        foreach (var blob in blobs)
        {
            await AssertServedFromOwnStorageAsync(mirror, "up/team/app", blob);
        }
    }

    [Fact]
    public async Task AClientLeavingAStreamThroughFillMidwayLeavesTheBlobFilled()
    {
        await using var distribution = await DistributionUpstream.StartAsync();
        var layer = OciHttp.RandomBytes(8 * 1024 * 1024);
        var digest = await distribution.PushBlobAsync("team/big", layer);
        await using var mirror = await StartMirrorAsync(distribution.HostPort);

        using (var client = new HttpClient { BaseAddress = mirror.BaseAddress })
        using (var response = await client.GetAsync($"/v2/up/team/big/blobs/{digest}", HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            Assert.True(await body.ReadAsync(buffer) > 0);
        }

        await WhenFilledAsync(mirror);
        Assert.True(await IndexedAsync(mirror, digest));
        await AssertServedFromOwnStorageAsync(mirror, "up/team/big", digest);
    }

    [Fact]
    public async Task SkopeoPushUnderACachePrefixIsDenied()
    {
        using var sandbox = new ContainersSandbox();
        var layout = new OciLayoutBuilder(Path.Combine(sandbox.Root, "src"));
        var image = layout.AddImage("linux", "amd64", ("a.txt", OciHttp.RandomBytes(1000), true));
        layout.Tag(image.Manifest, "1");
        await using var upstream = await RegistryServer.StartAsync();
        await using var mirror = await StartMirrorAsync(upstream.HostPort);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => new Skopeo(sandbox).CopyAsync(layout.Reference("1"), $"docker://{mirror.HostPort}/up/team/x:1"));

        // skopeo prints the DENIED error code as "denied:", followed by the registry's message.
        Assert.Contains("denied: up/team/x is a read-only cache", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CommittedDataBlobsAsync(mirror));
    }

    /// <summary>An image of one layer whose config is unique (so only the manifest's own repositories reference it).</summary>
    private static async Task<(string Digest, string Config)> PushImageAsync(HttpClient client, string repository, string tag, byte[] layer)
    {
        var config = System.Text.Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"{Guid.NewGuid()}\"}}");
        var manifest = OciHttp.ImageManifest(await client.PushBlobAsync(repository, config), config.Length, await client.PushBlobAsync(repository, layer), layer.Length);
        using var put = await client.PutManifestAsync(repository, tag, manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return (OciHttp.Sha256(manifest), OciHttp.Sha256(config));
    }

    private static async Task PullAsync(RegistryServer mirror, string repository, string reference)
    {
        using var client = new HttpClient { BaseAddress = mirror.BaseAddress };
        using var json = JsonDocument.Parse(await client.GetByteArrayAsync($"/v2/{repository}/manifests/{reference}"));
        foreach (var blob in json.RootElement.GetProperty("layers").EnumerateArray().Append(json.RootElement.GetProperty("config")))
        {
            var digest = blob.GetProperty("digest").GetString()!;
            Assert.Equal(digest, OciHttp.Sha256(await client.GetByteArrayAsync($"/v2/{repository}/blobs/{digest}")));
        }
    }

    [Fact]
    public async Task GarbageCollectionEvictsWhatWasNotPulledWithinThePeriodAndKeepsSharedLayers()
    {
        var upstream = await RegistryServer.StartAsync();
        try
        {
            var shared = OciHttp.RandomBytes(50_000);
            var (old, oldConfig) = await PushImageAsync(upstream.Client, "team/old", "1", shared);
            var (recent, _) = await PushImageAsync(upstream.Client, "team/recent", "1", OciHttp.RandomBytes(50_000));
            var (legacy, _) = await PushImageAsync(upstream.Client, "team/legacy", "1", OciHttp.RandomBytes(1_000));
            // Starts 40 days ago, so the mirror's read links (signed with this clock) are valid again once it reaches today.
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow - TimeSpan.FromDays(40));
            await using var mirror = await StartMirrorAsync(upstream.HostPort, services: s => s.AddSingleton<TimeProvider>(clock),
                extra: new Dictionary<string, string?> { ["Mirror:EvictUnpulledAfter"] = "30.00:00:00" });
            var recorder = mirror.Services.GetRequiredService<PullRecorder>();
            await PullAsync(mirror, "up/team/old", "1");
            await PullAsync(mirror, "up/team/recent", "1");
            await PullAsync(mirror, "up/team/legacy", "1");
            await WhenFilledAsync(mirror);
            var (local, _) = await PushImageAsync(mirror.Client, "local/app", "1", shared);
            using (var cachedLayer = await mirror.Client.GetAsync($"/v2/up/team/old/blobs/{OciHttp.Sha256(shared)}"))
            using (var localLayer = await mirror.Client.GetAsync($"/v2/local/app/blobs/{OciHttp.Sha256(shared)}"))
            {
                Assert.Equal(cachedLayer.Headers.Location!.AbsolutePath, localLayer.Headers.Location!.AbsolutePath); // one stored copy
            }

            clock.Advance(TimeSpan.FromDays(20));
            using (var pulledAgain = await mirror.Client.GetAsync("/v2/up/team/recent/manifests/1"))
            {
                Assert.Equal(HttpStatusCode.OK, pulledAgain.StatusCode);
            }

            await recorder.WhenIdleAsync();
            // A pull recorded the way earlier versions did (the mirror's own table) still keeps its manifest.
            var storage = mirror.Services.GetRequiredService<RegistryStorage>();
            await storage.Metadata.ExecuteAsync(MirrorLayout.Table(storage.Layout), RowOperation.Upsert(
                new TableRow(StorageLayout.RepositoryKey("up/team/legacy"), MirrorLayout.LegacyPulledPrefix + legacy) { ["PulledAt"] = clock.GetUtcNow() }), CancellationToken.None);
            await upstream.DisposeAsync();
            upstream = null;
            clock.SetUtcNow(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(1));

            var maintenance = mirror.Services.GetRequiredService<IOptions<MaintenanceOptions>>().Value;
            var report = await mirror.Services.GetRequiredService<MaintenanceJobs>().RunGarbageCollectionAsync(
                maintenance.With(gracePeriod: TimeSpan.FromSeconds(1), allowShortGracePeriod: true).Validate(), null, CancellationToken.None);

            Assert.Contains(report.Steps, s => s.Contains("evicted 1 cached manifests", StringComparison.Ordinal));
            Assert.True(report.BlobsDeleted > 0);
            using (var evicted = await mirror.Client.GetAsync($"/v2/up/team/old/manifests/{old}"))
            using (var evictedConfig = await mirror.Client.GetAsync($"/v2/up/team/old/blobs/{oldConfig}"))
            {
                Assert.Contains(evicted.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.ServiceUnavailable });
                Assert.Contains(evictedConfig.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.ServiceUnavailable });
            }

            await PullAsync(mirror, "up/team/recent", recent);
            await PullAsync(mirror, "up/team/legacy", legacy);
            await PullAsync(mirror, "local/app", local);
        }
        finally
        {
            if (upstream is not null)
            {
                await upstream.DisposeAsync();
            }
        }
    }
}
