using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Mirror.Upstream;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>Upstreams that are down, silent, rate-limiting or redirecting, on loopback.</summary>
public sealed class UpstreamFailureTests : IDisposable
{
    private const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    private readonly UpstreamClient _client = new(NullLogger<UpstreamClient>.Instance, TimeProvider.System);

    [Fact]
    public async Task ClosedPortIsUnreachable()
    {
        var target = new UpstreamTarget(TestRules.Prefix(new Uri($"http://127.0.0.1:{Azurite.FreePort()}/")), "team/app");

        var e = await Assert.ThrowsAsync<UpstreamException>(() => _client.HeadManifestAsync(target, "v1", default));

        Assert.Equal(UpstreamFailure.Unreachable, e.Failure);
        Assert.Equal(0, e.Status);
        Assert.Contains("connection refused", e.Message);
    }

    [Fact]
    public async Task ListenerThatNeverAnswersTimesOut()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var target = new UpstreamTarget(TestRules.Prefix(new Uri($"http://127.0.0.1:{port}/"), timeout: TimeSpan.FromMilliseconds(300)), "team/app");

        var e = await Assert.ThrowsAsync<UpstreamException>(() => _client.GetManifestAsync(target, "v1", default));

        Assert.Equal(UpstreamFailure.Timeout, e.Failure);
    }

    [Fact]
    public async Task BlobBodyIsReadBeyondTheRuleTimeout()
    {
        var bodyMayEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slowBody = await StubUpstream.StartAsync(async context =>
        {
            context.Response.ContentLength = 8;
            await context.Response.Body.WriteAsync("abcd"u8.ToArray());
            await context.Response.Body.FlushAsync();
            // The rest only once the rule's Timeout has passed: only the headers are bounded by it.
            await bodyMayEnd.Task;
            await context.Response.Body.WriteAsync("efgh"u8.ToArray());
        });
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var client = new UpstreamClient(NullLogger<UpstreamClient>.Instance, clock);
        var target = new UpstreamTarget(TestRules.Prefix(slowBody.BaseAddress, timeout: TimeSpan.FromSeconds(2)), "a/b");

        using var blob = await client.GetBlobAsync(target, Digest, default);
        clock.Advance(TimeSpan.FromMinutes(1));
        bodyMayEnd.SetResult();

        Assert.Equal("abcdefgh"u8.ToArray(), await blob!.Response!.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task CallerCancellationIsNotReportedAsTimeout()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = new UpstreamTarget(TestRules.Prefix(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/")), "team/app");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.GetManifestAsync(target, "v1", cancel.Token));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TooManyRequestsIsRateLimitedWithRetryAfter(bool asDate)
    {
        await using var stub = await StubUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 429;
            context.Response.Headers.RetryAfter = asDate ? DateTimeOffset.UtcNow.AddSeconds(120).ToString("R") : "7";
            return Task.CompletedTask;
        });
        var target = new UpstreamTarget(TestRules.Prefix(stub.BaseAddress), "library/nginx");

        var e = await Assert.ThrowsAsync<UpstreamException>(() => _client.HeadManifestAsync(target, "latest", default));

        Assert.Equal(UpstreamFailure.RateLimited, e.Failure);
        Assert.Equal(429, e.Status);
        Assert.NotNull(e.RetryAfter);
        if (asDate)
        {
            Assert.InRange(e.RetryAfter.Value, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(121));
        }
        else
        {
            Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
        }
    }

    [Fact]
    public async Task ServerErrorIsFailedWithItsStatus()
    {
        await using var stub = await StubUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 503;
            return Task.CompletedTask;
        });

        var e = await Assert.ThrowsAsync<UpstreamException>(() => _client.GetBlobAsync(new UpstreamTarget(TestRules.Prefix(stub.BaseAddress), "a/b"), Digest, default));

        Assert.Equal(UpstreamFailure.Failed, e.Failure);
        Assert.Equal(503, e.Status);
    }

    [Fact]
    public async Task ManifestRequestsAcceptEveryManifestType()
    {
        await using var stub = await StubUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });

        Assert.Null(await _client.GetManifestAsync(new UpstreamTarget(TestRules.Prefix(stub.BaseAddress), "a/b"), "v1", default));

        var accept = stub.Received.Single().Accept!.Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("application/vnd.oci.image.manifest.v1+json", accept);
        Assert.Contains("application/vnd.oci.image.index.v1+json", accept);
        Assert.Contains("application/vnd.docker.distribution.manifest.v2+json", accept);
        Assert.Contains("application/vnd.docker.distribution.manifest.list.v2+json", accept);
    }

    [Fact]
    public async Task BlobRedirectIsAbsoluteAndItsHostGetsNoCredentials()
    {
        var content = Encoding.UTF8.GetBytes("layer bytes held by a CDN");
        await using var cdn = await StubUpstream.StartAsync(context => context.Response.Body.WriteAsync(content.AsMemory(6)).AsTask());
        // Like Docker Hub behind basic auth: a challenge to the anonymous request, then a 307 to another host.
        await using var upstream = await BasicAuthRedirectingAsync(new Uri(cdn.BaseAddress, "blobs/layer?sig=abc"));
        var target = new UpstreamTarget(TestRules.Prefix(upstream.BaseAddress, "mirror-user", "s3cret-password"), "library/nginx");

        using var blob = await _client.GetBlobAsync(target, Digest, default);
        Assert.NotNull(blob);
        Assert.Null(blob.Response);
        Assert.Equal(new Uri(cdn.BaseAddress, "blobs/layer?sig=abc"), blob.Redirect);

        using var response = await _client.GetRedirectedAsync(blob.Redirect!, 6, default);
        Assert.Equal(content[6..], await response.Content.ReadAsByteArrayAsync());

        Assert.StartsWith("Basic ", upstream.Received[^1].Authorization);
        var atCdn = Assert.Single(cdn.Received);
        Assert.Equal("/blobs/layer?sig=abc", atCdn.PathAndQuery);
        Assert.Null(atCdn.Authorization);
        Assert.Equal("bytes=6-", atCdn.Range);
    }

    [Fact]
    public async Task RelativeBlobRedirectIsResolvedAgainstTheRequest()
    {
        await using var upstream = await StubUpstream.StartAsync(context =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = "/storage/blob?x=1";
            return Task.CompletedTask;
        });

        using var blob = await _client.GetBlobAsync(new UpstreamTarget(TestRules.Prefix(upstream.BaseAddress), "a/b"), Digest, default);

        Assert.Equal(new Uri(upstream.BaseAddress, "/storage/blob?x=1"), blob!.Redirect);
    }

    [Fact]
    public async Task ManifestRedirectToAnotherHostIsFollowedOnceWithoutCredentials()
    {
        var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
        await using var other = await StubUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "application/vnd.oci.image.index.v1+json";
            context.Response.Headers["Docker-Content-Digest"] = OciHttp.Sha256(manifest);
            await context.Response.Body.WriteAsync(manifest);
        });
        await using var upstream = await BasicAuthRedirectingAsync(new Uri(other.BaseAddress, "m"));

        var got = await _client.GetManifestAsync(new UpstreamTarget(TestRules.Prefix(upstream.BaseAddress, "u", "p"), "a/b"), "v1", default);

        Assert.NotNull(got);
        Assert.Equal(manifest, got.Bytes);
        Assert.Equal("application/vnd.oci.image.index.v1+json", got.MediaType);
        Assert.Equal(OciHttp.Sha256(manifest), got.Digest);
        Assert.Null(Assert.Single(other.Received).Authorization);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>An upstream behind basic auth that answers every authenticated request with a 307 to <paramref name="location"/>.</summary>
    private static Task<StubUpstream> BasicAuthRedirectingAsync(Uri location) => StubUpstream.StartAsync(context =>
    {
        if (context.Request.Headers.Authorization.Count == 0)
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"upstream\"";
            return Task.CompletedTask;
        }

        context.Response.StatusCode = 307;
        context.Response.Headers.Location = location.ToString();
        return Task.CompletedTask;
    });
}
