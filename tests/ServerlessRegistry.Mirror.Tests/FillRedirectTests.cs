using System.Net;
using System.Text.Json;
using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>Blob misses on an upstream that redirects (as Docker Hub does): the client follows the CDN, the cache fills behind it.</summary>
public sealed class FillRedirectTests
{
    private static byte[] Content(int size) => Random.Shared.GetItems(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), size);

    [Fact]
    public async Task RedirectMissAnswersTheCdnLocationThenTheBackgroundFillLinksVerifiedBytes()
    {
        await using var h = await FillTestsHarness.StartAsync();
        var content = Content(700_000);
        var digest = h.Upstream.AddBlob(content);

        using var response = await h.Client.GetAsync("/blobs/" + digest);

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(new Uri(h.Upstream.CdnAddress, RedirectingUpstream.CdnPath(digest)).AbsolutePath, response.Headers.Location!.AbsolutePath);
        Assert.Equal(h.Upstream.CdnAddress.Authority, response.Headers.Location.Authority);
        Assert.Equal(digest, response.Headers.GetValues("Docker-Content-Digest").Single());
        await h.Jobs.WhenIdleAsync();
        var blob = await h.Blobs.FindAsync(FillTestsHarness.Repository, digest, default);
        Assert.NotNull(blob);
        Assert.Equal(content.Length, blob.Size);
        Assert.Equal(content, await h.Storage.Blobs.ReadAllAsync(blob.BlobName, default));
        Assert.True(h.Log.Has(524), "Azurite refuses an outside source, so the fill must have streamed");
    }

    [Fact]
    public async Task RedirectedWrongBytesStoreNothingAndAreLoggedAsAnIntegrityEvent()
    {
        await using var h = await FillTestsHarness.StartAsync();
        var digest = h.Upstream.AddBlob(Content(300_000));
        h.Upstream.WrongBytes = true;

        using var response = await h.Client.GetAsync("/blobs/" + digest);
        await h.Jobs.WhenIdleAsync();

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(1, h.Upstream.Requests(RedirectingUpstream.CdnPath(digest)));
        Assert.Null(await h.Blobs.FindAsync(FillTestsHarness.Repository, digest, default));
        Assert.Null(await h.Blobs.MountAsync("elsewhere/repo", digest, default));
        Assert.DoesNotContain(await h.DataBlobsAsync(), b => b.Committed);
        Assert.True(h.Log.Has(523));
    }

    [Fact]
    public async Task TwentyConcurrentMissesOfOneDigestFillItOnce()
    {
        await using var h = await FillTestsHarness.StartAsync();
        var content = Content(2_000_000);
        var digest = h.Upstream.AddBlob(content);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => h.Client.GetAsync("/blobs/" + digest)));
        await h.Jobs.WhenIdleAsync();

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.TemporaryRedirect, r.StatusCode));
        Assert.Equal(20, h.Upstream.Requests($"/v2/lib/app/blobs/{digest}"));
        Assert.Equal(1, h.Upstream.Requests(RedirectingUpstream.CdnPath(digest)));
        Assert.Single(await h.DataBlobsAsync());
        Assert.NotNull(await h.Blobs.FindAsync(FillTestsHarness.Repository, digest, default));
    }

    [Fact]
    public async Task RateLimitedUpstreamAnswers429WithItsRetryAfter()
    {
        await using var h = await FillTestsHarness.StartAsync();
        var digest = h.Upstream.AddBlob(Content(10));
        h.Upstream.RateLimitSeconds = 42;

        using var response = await h.Client.GetAsync("/blobs/" + digest);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("42", response.Headers.GetValues("Retry-After").Single());
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("TOOMANYREQUESTS", body.RootElement.GetProperty("errors")[0].GetProperty("code").GetString());
        Assert.Equal(0, h.Jobs.Started);
    }

    [Fact]
    public async Task HeadMissAnswersTheUpstreamSizeAndTheDigestAskedFor()
    {
        await using var h = await FillTestsHarness.StartAsync();
        var digest = h.Upstream.AddBlob(Content(1234));

        using var found = await h.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/blobs/" + digest));
        using var missing = await h.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/blobs/sha256:" + new string('0', 64)));
        using var missingGet = await h.Client.GetAsync("/blobs/sha256:" + new string('1', 64));

        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(1234, found.Content.Headers.ContentLength);
        Assert.Equal(digest, found.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missingGet.StatusCode);
        Assert.Contains("BLOB_UNKNOWN", await missingGet.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, h.Jobs.Started);
    }
}
