using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>What a run keeps and what it reclaims, against Azurite with a hand-moved clock.</summary>
public sealed class GarbageCollectionTests
{
    [Fact]
    public async Task DeletedTagsBlobsAreReclaimedAfterTheGracePeriodAndNotBefore()
    {
        await using var gc = await GcHarness.StartAsync();
        var kept = await gc.PushImageAsync("gc/tags", "keep");
        var gone = await gc.PushImageAsync("gc/tags", "drop");
        await gc.DeleteManifestAsync("gc/tags", "drop");

        var early = await gc.GcAsync(deleteUntagged: true);
        Assert.Equal(0, early.BlobsDeleted);
        Assert.NotNull(await gc.PullBlobAsync("gc/tags", gone.LayerDigest));

        gc.Clock.Advance(GcHarness.PastGrace);
        var late = await gc.GcAsync(deleteUntagged: true);
        Assert.Equal(2, late.BlobsDeleted);
        Assert.Equal(gone.Config.Length + gone.Layer.Length, late.BytesReclaimed);
        Assert.Equal(1, late.ManifestsDeleted);
        Assert.Null(await gc.PullBlobAsync("gc/tags", gone.LayerDigest));
        Assert.Null(await gc.PullBlobAsync("gc/tags", gone.ConfigDigest));
        Assert.Equal(HttpStatusCode.NotFound, await gc.ManifestStatusAsync("gc/tags", gone.Digest));
        Assert.Equal(kept.Layer, await gc.PullBlobAsync("gc/tags", kept.LayerDigest));
        Assert.Equal(HttpStatusCode.OK, await gc.ManifestStatusAsync("gc/tags", "keep"));
    }

    [Fact]
    public async Task RunWithinTheGracePeriodReportsWhatWaitsAndWhenItBecomesCollectable()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.PushImageAsync("gc/waiting", "v1");
        await gc.DeleteManifestAsync("gc/waiting", "v1");
        await gc.DeleteManifestAsync("gc/waiting", image.Digest);
        var pushedBy = gc.Clock.GetUtcNow();

        var early = await gc.GcAsync();
        Assert.Equal(0, early.BlobsDeleted);
        Assert.Equal(2, early.BlobsWaiting);
        Assert.Equal(image.Config.Length + image.Layer.Length, early.BytesWaiting);
        Assert.NotNull(early.CollectableFrom);
        Assert.InRange(early.CollectableFrom.Value, pushedBy.AddMinutes(-5) + new MaintenanceOptions().GracePeriod, pushedBy + new MaintenanceOptions().GracePeriod);

        gc.Clock.Advance(GcHarness.PastGrace);
        var late = await gc.GcAsync();
        Assert.Equal(2, late.BlobsDeleted);
        Assert.Equal(0, late.BlobsWaiting);
        Assert.Null(late.CollectableFrom);
    }

    [Fact]
    public async Task CommandLineGcWithNoGracePeriodAgainstTheEmulatorWarnsAndReclaimsAtOnce()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.PushImageAsync("gc/cli", "v1");
        await gc.DeleteManifestAsync("gc/cli", "v1");
        await gc.DeleteManifestAsync("gc/cli", image.Digest);

        var run = await CliRun.RunAsync(["gc", "--grace-period", "0s", .. await CliRun.AzuriteAsync(gc.Server.Prefix)]);
        Assert.True(run.Code == 0, run.Error);
        Assert.Contains("gc: warning: grace period 00:00:00 is below", run.Error);
        Assert.Single(Regex.Matches(run.Output, "Garbage collection finished"));
        Assert.Matches(@"blobs deleted\s+2\n", run.Output);
        Assert.Null(await gc.PullBlobAsync("gc/cli", image.LayerDigest));
    }

    [Fact]
    public async Task UntaggedManifestsStayUnlessAskedToGo()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.PushImageAsync("gc/untagged", "v1");
        await gc.DeleteManifestAsync("gc/untagged", "v1"); // the tag only
        gc.Clock.Advance(GcHarness.PastGrace);

        var keep = await gc.GcAsync();
        Assert.Equal(0, keep.BlobsDeleted);
        Assert.Equal(HttpStatusCode.OK, await gc.ManifestStatusAsync("gc/untagged", image.Digest));

        var drop = await gc.GcAsync(deleteUntagged: true);
        Assert.Equal(2, drop.BlobsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, await gc.ManifestStatusAsync("gc/untagged", image.Digest));
    }

    [Fact]
    public async Task LayerSharedByTwoRepositoriesIsKeptWhileEitherReferencesIt()
    {
        await using var gc = await GcHarness.StartAsync();
        var layer = OciHttp.RandomBytes(4096);
        var a = await gc.PushImageAsync("gc/shared-a", "v1", layer);
        var b = await gc.PushImageAsync("gc/shared-b", "v1", layer);
        Assert.Equal(a.LayerDigest, b.LayerDigest);

        await gc.DeleteManifestAsync("gc/shared-a", a.Digest);
        gc.Clock.Advance(GcHarness.PastGrace);
        var first = await gc.GcAsync();
        Assert.Equal(1, first.BlobsDeleted); // a's config only
        Assert.Null(await gc.PullBlobAsync("gc/shared-a", a.LayerDigest)); // a's link is gone
        Assert.Equal(layer, await gc.PullBlobAsync("gc/shared-b", b.LayerDigest));

        await gc.DeleteManifestAsync("gc/shared-b", b.Digest);
        gc.Clock.Advance(GcHarness.PastGrace);
        var second = await gc.GcAsync();
        Assert.Equal(2, second.BlobsDeleted);
        Assert.Null(await gc.PullBlobAsync("gc/shared-b", b.LayerDigest));
    }

    [Fact]
    public async Task MultiArchChildrenAreKeptAndReferrersFollowTheirSubjects()
    {
        await using var gc = await GcHarness.StartAsync();
        const string repo = "gc/multi";
        var amd = await gc.PushImageAsync(repo, null);
        var arm = await gc.PushImageAsync(repo, null);
        var index = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"" + OciHttp.OciIndex + "\",\"manifests\":[" +
            $"{{\"mediaType\":\"{OciHttp.OciManifest}\",\"digest\":\"{amd.Digest}\",\"size\":{amd.Manifest.Length}}}," +
            $"{{\"mediaType\":\"{OciHttp.OciManifest}\",\"digest\":\"{arm.Digest}\",\"size\":{arm.Manifest.Length}}}]}}");
        var indexDigest = OciHttp.Sha256(index);
        using (var put = await gc.Client.PutManifestAsync(repo, "latest", index, OciHttp.OciIndex))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var signature = await gc.PushImageAsync(repo, null, subject: indexDigest);
        var doomed = await gc.PushImageAsync(repo, "old");
        var orphanSbom = await gc.PushImageAsync(repo, null, subject: doomed.Digest);
        await gc.DeleteManifestAsync(repo, doomed.Digest);
        gc.Clock.Advance(GcHarness.PastGrace);

        // Even without --delete-untagged, a referrer whose subject was removed goes with it.
        var report = await gc.GcAsync();
        Assert.Equal(1, report.ManifestsDeleted);
        Assert.Equal(HttpStatusCode.NotFound, await gc.ManifestStatusAsync(repo, orphanSbom.Digest));
        Assert.Null(await gc.PullBlobAsync(repo, orphanSbom.LayerDigest));
        Assert.Null(await gc.PullBlobAsync(repo, doomed.LayerDigest));

        var strict = await gc.GcAsync(deleteUntagged: true);
        Assert.Equal(0, strict.ManifestsDeleted);
        foreach (var image in new[] { amd, arm, signature })
        {
            Assert.Equal(HttpStatusCode.OK, await gc.ManifestStatusAsync(repo, image.Digest));
            Assert.Equal(image.Layer, await gc.PullBlobAsync(repo, image.LayerDigest));
            Assert.Equal(image.Config, await gc.PullBlobAsync(repo, image.ConfigDigest));
        }

        using var referrers = await gc.Client.GetAsync($"/v2/{repo}/referrers/{indexDigest}");
        Assert.Contains(signature.Digest, await referrers.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DryRunChangesNothingAndASecondRunIsANoOp()
    {
        await using var gc = await GcHarness.StartAsync();
        var image = await gc.PushImageAsync("gc/dry", "v1");
        await gc.DeleteManifestAsync("gc/dry", image.Digest);
        gc.Clock.Advance(GcHarness.PastGrace);
        var before = await gc.PhysicalBlobsAsync();

        var dry = await gc.GcAsync(deleteUntagged: true, dryRun: true);
        Assert.Equal(2, dry.BlobsDeleted);
        Assert.Equal(before, await gc.PhysicalBlobsAsync());
        Assert.Equal(image.Layer, await gc.PullBlobAsync("gc/dry", image.LayerDigest));

        var real = await gc.GcAsync(deleteUntagged: true);
        Assert.Equal(dry with { DryRun = false, Elapsed = real.Elapsed }, real);
        Assert.Empty(await gc.PhysicalBlobsAsync());

        var again = await gc.GcAsync(deleteUntagged: true);
        Assert.Equal((0L, 0L, 0L, 0L, 0L), (again.BlobsDeleted, again.BytesReclaimed, again.ManifestsDeleted, again.LinksDeleted, again.SessionsExpired));
    }

    [Fact]
    public async Task LargeManifestsAreIndexedSharedAndReclaimed()
    {
        await using var gc = await GcHarness.StartAsync();
        var config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"pad\":\"" + new string('x', 70_000) + "\"}";
        var image = await gc.PushImageAsync("gc/large", "v1", config: config);
        Assert.True(image.Manifest.Length < 60 * 1024); // the config is large, not the manifest: push a large one
        var big = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(image.Manifest).TrimEnd('}') + ",\"annotations\":{\"pad\":\"" + new string('y', 70_000) + "\"}}");
        using (var put = await gc.Client.PutManifestAsync("gc/large", "big", big))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Contains(await gc.PhysicalBlobsAsync(), n => n.StartsWith("manifests/", StringComparison.Ordinal));
        gc.Clock.Advance(GcHarness.PastGrace);
        Assert.Equal(0, (await gc.GcAsync()).BlobsDeleted);
        Assert.Equal(HttpStatusCode.OK, await gc.ManifestStatusAsync("gc/large", "big"));

        await gc.DeleteManifestAsync("gc/large", OciHttp.Sha256(big));
        await gc.DeleteManifestAsync("gc/large", image.Digest);
        gc.Clock.Advance(GcHarness.PastGrace);
        var report = await gc.GcAsync();
        Assert.Equal(3, report.BlobsDeleted); // config, layer, manifest
        Assert.Empty(await gc.PhysicalBlobsAsync());
    }
}
