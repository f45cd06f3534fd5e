using System.Net;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>Blob misses on an upstream that serves the bytes itself (as CNCF distribution's filesystem driver does).</summary>
public sealed class FillStreamThroughTests
{
    private static byte[] Content(int size) => Random.Shared.GetItems(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), size);

    [Fact]
    public async Task StreamThroughGivesTheClientTheBytesAndFillsTheCache()
    {
        await using var h = await FillTestsHarness.StartAsync();
        h.Upstream.ServeBytes = true;
        var content = Content(900_000);
        var digest = h.Upstream.AddBlob(content);

        using var response = await h.Client.GetAsync("/blobs/" + digest);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content.Length, response.Content.Headers.ContentLength);
        Assert.Equal(digest, response.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        await h.Jobs.WhenIdleAsync();
        var blob = await h.Blobs.FindAsync(FillTestsHarness.Repository, digest, default);
        Assert.NotNull(blob);
        Assert.Equal(content, await h.Storage.Blobs.ReadAllAsync(blob.BlobName, default));
    }

    [Fact]
    public async Task StreamThroughOfWrongBytesFailsTheClientsReadAndStoresNothing()
    {
        await using var h = await FillTestsHarness.StartAsync();
        h.Upstream.ServeBytes = true;
        h.Upstream.WrongBytes = true;
        var digest = h.Upstream.AddBlob(Content(600_000));

        await Assert.ThrowsAnyAsync<HttpRequestException>(async () =>
        {
            using var response = await h.Client.GetAsync("/blobs/" + digest);
            await response.Content.ReadAsByteArrayAsync();
        });
        await h.Jobs.WhenIdleAsync();

        Assert.Null(await h.Blobs.FindAsync(FillTestsHarness.Repository, digest, default));
        Assert.Null(await h.Blobs.MountAsync("elsewhere/repo", digest, default));
        Assert.DoesNotContain(await h.DataBlobsAsync(), b => b.Committed);
        Assert.True(h.Log.Has(523));
    }

    [Fact]
    public async Task ClientLeavingMidStreamThroughDoesNotStopTheFill()
    {
        await using var h = await FillTestsHarness.StartAsync();
        h.Upstream.ServeBytes = true;
        var pause = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Upstream.PauseMidway = pause.Task;
        var content = Content(4_000_000);
        var digest = h.Upstream.AddBlob(content);

        using (var response = await h.Client.GetAsync("/blobs/" + digest, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var first = new byte[1000];
            await body.ReadExactlyAsync(first);
            Assert.Equal(content.AsSpan(0, 1000).ToArray(), first);
        }

        await h.FrontAborted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        pause.SetResult();
        await h.Jobs.WhenIdleAsync();

        Assert.True(h.Log.Has(526), "the fill should have seen the client leave");
        var blob = await h.Blobs.FindAsync(FillTestsHarness.Repository, digest, default);
        Assert.NotNull(blob);
        Assert.Equal(content, await h.Storage.Blobs.ReadAllAsync(blob.BlobName, default));
    }

    [Fact]
    public async Task StorageSlowerThanTheUpstreamDoesNotPaceTheClientAndARereadFillsTheBlob()
    {
        FillGatedBlobStore? gated = null;
        await using var h = await FillTestsHarness.StartAsync(inner => gated = new FillGatedBlobStore(inner));
        h.Upstream.ServeBytes = true;
        // Far beyond what the inline store may buffer (blocks in flight + its pipe, of 256 KiB blocks).
        var content = Content(4_000_000);
        var digest = h.Upstream.AddBlob(content);

        using (var response = await h.Client.GetAsync("/blobs/" + digest))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        }

        // Every byte reached the client, verified, while storage had accepted none and the fill still needs it.
        Assert.Equal(0, gated!.Staged);
        Assert.True(h.Jobs.IsRunning(digest));
        gated.Open();
        await h.Jobs.WhenIdleAsync();

        Assert.True(h.Log.Has(530), "the abandoned inline store should have been logged");
        Assert.Equal(2, h.Upstream.Requests($"/v2/lib/app/blobs/{digest}"));
        var blob = await h.Blobs.FindAsync(FillTestsHarness.Repository, digest, default);
        Assert.NotNull(blob);
        Assert.Equal(content, await h.Storage.Blobs.ReadAllAsync(blob.BlobName, default));
        Assert.Single(await h.DataBlobsAsync(), b => b.Committed);
    }

    [Fact]
    public async Task StorageThatKeepsUpStoresFromTheClientsReadAlone()
    {
        await using var h = await FillTestsHarness.StartAsync();
        h.Upstream.ServeBytes = true;
        // Within blocks in flight (4) + the inline store's pipe (2) of 256 KiB: storing can never fall behind by more.
        var content = Content(1_200_000);
        var digest = h.Upstream.AddBlob(content);

        using (var response = await h.Client.GetAsync("/blobs/" + digest))
        {
            Assert.Equal(content, await response.Content.ReadAsByteArrayAsync());
        }

        await h.Jobs.WhenIdleAsync();

        Assert.False(h.Log.Has(530), h.Log.Messages(530));
        Assert.Equal(1, h.Upstream.Requests($"/v2/lib/app/blobs/{digest}"));
        var blob = await h.Blobs.FindAsync(FillTestsHarness.Repository, digest, default);
        Assert.NotNull(blob);
        Assert.Equal(content, await h.Storage.Blobs.ReadAllAsync(blob.BlobName, default));
        Assert.Single(await h.DataBlobsAsync(), b => b.Committed);
    }
}
