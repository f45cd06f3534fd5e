using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>
/// A push interleaved with a GC run at each dangerous point loses nothing. The run's storage pauses before its
/// first delete of each kind and lets the push go first; then the delete proceeds against what the push wrote.
/// </summary>
public sealed class ConcurrentPushTests
{
    [Theory]
    [InlineData("repos-delete", false)]  // after the mark, before links go: the manifest PUT re-touches the old links
    [InlineData("index-delete", true)]   // links gone, before the index row goes: the re-upload touches the index row
    [InlineData("blob-delete", true)]    // index row gone, before the blob goes: the re-upload commits its own copy
    public async Task PushDuringGcAtADangerousPointLosesNothing(string point, bool reupload)
    {
        await using var gc = await GcHarness.StartAsync();
        const string repo = "race/push";
        var image = await gc.PushImageAsync(repo, "v1");
        await gc.DeleteManifestAsync(repo, image.Digest);
        gc.Clock.Advance(GcHarness.PastGrace);

        var pushed = false;
        Task? push = null;
        var gate = new Lock();
        var report = await gc.GcAsync(hook: p =>
        {
            if (p != point)
            {
                return Task.CompletedTask;
            }

            lock (gate)
            {
                return push ??= PushAgainAsync();
            }
        });

        async Task PushAgainAsync()
        {
            if (reupload)
            {
                await gc.Client.PushBlobAsync(repo, image.Config);
                await gc.Client.PushBlobAsync(repo, image.Layer);
            }

            using var put = await gc.Client.PutManifestAsync(repo, "v1", image.Manifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            pushed = true;
        }

        Assert.True(pushed, "the run never reached " + point);
        Assert.Equal(HttpStatusCode.OK, await gc.ManifestStatusAsync(repo, "v1"));
        Assert.Equal(image.Layer, await gc.PullBlobAsync(repo, image.LayerDigest));
        Assert.Equal(image.Config, await gc.PullBlobAsync(repo, image.ConfigDigest));

        // Whatever the run managed to delete, the next runs (even much later) keep the pushed image whole.
        gc.Clock.Advance(GcHarness.PastGrace);
        await gc.GcAsync(deleteUntagged: true);
        Assert.Equal(image.Layer, await gc.PullBlobAsync(repo, image.LayerDigest));
        Assert.Equal(image.Config, await gc.PullBlobAsync(repo, image.ConfigDigest));
        Assert.True(report.Conflicts > 0 || point == "blob-delete");
    }

    [Fact]
    public async Task MountDuringGcKeepsTheContent()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.PushImageAsync("race/source", "v1");
        await gc.DeleteManifestAsync("race/source", image.Digest);
        gc.Clock.Advance(GcHarness.PastGrace);

        Task? mount = null;
        var gate = new Lock();
        await gc.GcAsync(hook: p =>
        {
            lock (gate)
            {
                return p == "index-delete" ? mount ??= MountAsync() : Task.CompletedTask;
            }
        });

        async Task MountAsync()
        {
            foreach (var digest in new[] { image.ConfigDigest, image.LayerDigest })
            {
                using var response = await gc.Client.PostAsync($"/v2/race/target/blobs/uploads/?mount={digest}&from=race/source", null);
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            }

            using var put = await gc.Client.PutManifestAsync("race/target", "v1", image.Manifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.NotNull(mount);
        Assert.Equal(image.Layer, await gc.PullBlobAsync("race/target", image.LayerDigest));
        Assert.Equal(image.Config, await gc.PullBlobAsync("race/target", image.ConfigDigest));
    }
}
