using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Maintenance.Tests;

public sealed class UploadExpiryTests
{
    [Fact]
    public async Task ExpiredUploadsBlocksAreGoneWhileALiveUploadStillCompletes()
    {
        await using var gc = await GcHarness.StartAsync();
        const string repo = "expiry/uploads";
        var stale = await StartWithChunkAsync(gc, repo, OciHttp.RandomBytes(1000));
        gc.Clock.Advance(TimeSpan.FromDays(8));
        var liveChunk = OciHttp.RandomBytes(1500);
        var live = await StartWithChunkAsync(gc, repo, liveChunk);
        Assert.Contains("data/" + stale.Id, await gc.PhysicalBlobsAsync());

        var summary = await gc.Server.Services.GetRequiredService<MaintenanceJobs>().ExpireUploadsAsync(CancellationToken.None);
        Assert.Contains("expired 1 sessions", summary, StringComparison.Ordinal);

        var blobs = await gc.PhysicalBlobsAsync();
        Assert.DoesNotContain("data/" + stale.Id, blobs);
        Assert.Contains("data/" + live.Id, blobs);
        using (var status = await gc.Client.GetAsync(stale.Location))
        {
            Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        }

        // A GC run right after expires nothing more and leaves the live session's blocks alone.
        var report = await gc.GcAsync();
        Assert.Equal(0, report.SessionsExpired);
        Assert.Equal(0, report.BlobsDeleted);

        var digest = OciHttp.Sha256(liveChunk);
        using (var put = await gc.Client.PutAsync(live.Location + (live.Location.Contains('?') ? "&" : "?") + "digest=" + digest, new ByteArrayContent([])))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(liveChunk, await gc.PullBlobAsync(repo, digest));
    }

    [Fact]
    public async Task GcRunsExpiryAndSweepsBlocksThatNoSessionOwns()
    {
        await using var gc = await GcHarness.StartAsync();
        const string repo = "expiry/gc";
        var stale = await StartWithChunkAsync(gc, repo, OciHttp.RandomBytes(800));
        var cancelled = await StartWithChunkAsync(gc, repo, OciHttp.RandomBytes(900));
        using (await gc.Client.DeleteAsync(cancelled.Location))
        {
        }

        gc.Clock.Advance(TimeSpan.FromDays(8));
        var report = await gc.GcAsync();
        Assert.Equal(1, report.SessionsExpired);
        Assert.Equal(1, report.BlobsDeleted); // the cancelled session's staged blocks: an orphan
        Assert.Empty(await gc.PhysicalBlobsAsync());
        Assert.Equal(0, (await gc.GcAsync()).SessionsExpired);
        _ = stale;
    }

    [Fact]
    public async Task ExpiryRemovesOpenUploadIndexRowsOfExpiredAndVanishedSessionsOnly()
    {
        await using var gc = await GcHarness.StartAsync();
        const string repo = "expiry/index";
        await StartWithChunkAsync(gc, repo, OciHttp.RandomBytes(100));
        var vanished = await StartWithChunkAsync(gc, repo, OciHttp.RandomBytes(100));
        // A crash after a completion claimed the session and before it removed the index row.
        await gc.Storage.Metadata.ExecuteAsync(gc.Storage.Layout.UploadsTable, RowOperation.Delete(vanished.Id, ""), CancellationToken.None);
        gc.Clock.Advance(TimeSpan.FromDays(8));
        var live = await StartWithChunkAsync(gc, repo, OciHttp.RandomBytes(100));
        Assert.Equal(3, (await OwnerIndexAsync(gc)).Count);

        await gc.Server.Services.GetRequiredService<MaintenanceJobs>().ExpireUploadsAsync(CancellationToken.None);
        Assert.Equal([live.Id], await OwnerIndexAsync(gc));
    }

    [Fact]
    public async Task ExpiryKeepsTheIndexRowOfASessionAPatchKeptAlive()
    {
        await using var gc = await GcHarness.StartAsync();
        const string repo = "expiry/revived";
        var session = await StartWithChunkAsync(gc, repo, OciHttp.RandomBytes(100));
        gc.Clock.Advance(TimeSpan.FromDays(8));

        // The client appends just before expiry deletes the session row: the delete loses the ETag race.
        Task? patch = null;
        var report = await gc.GcAsync(hook: point => point == "session-delete" ? patch ??= PatchAsync() : Task.CompletedTask);

        Assert.NotNull(patch);
        Assert.Equal(0, report.SessionsExpired);
        Assert.Equal([session.Id], await OwnerIndexAsync(gc));

        async Task PatchAsync()
        {
            using var content = new ByteArrayContent(OciHttp.RandomBytes(100));
            content.Headers.ContentType = new("application/octet-stream");
            using var response = await gc.Client.PatchAsync(session.Location, content);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }
    }

    private static async Task<List<string>> OwnerIndexAsync(GcHarness gc)
    {
        var page = await gc.Storage.Metadata.QueryAsync(gc.Storage.Layout.UploadsTable, new RowQuery
        {
            PartitionKey = StorageLayout.UploadOwnerKey(null),
        }, CancellationToken.None);
        return page.Rows.Select(r => r.RowKey).ToList();
    }

    private static async Task<(string Id, string Location)> StartWithChunkAsync(GcHarness gc, string repo, byte[] chunk)
    {
        using var start = await gc.Client.PostAsync($"/v2/{repo}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        using var content = new ByteArrayContent(chunk);
        content.Headers.ContentType = new("application/octet-stream");
        using var patch = await gc.Client.PatchAsync(location, content);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        var path = new Uri(new Uri("http://x"), location).AbsolutePath;
        return (path[(path.LastIndexOf('/') + 1)..], location);
    }
}
