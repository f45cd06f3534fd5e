using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>Repository, tag and manifest locks over raw HTTP, and a locked manifest through skopeo.</summary>
public sealed class LockTests(GuardFixture fixture) : IClassFixture<GuardFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task RepositoryLockedAgainstWritesRefusesUploadsMountsManifestsAndDeletes()
    {
        var repository = GuardFixture.NewName("lock/repo-nw");
        var source = GuardFixture.NewName("lock/source");
        var (m1, d1) = await Client.PushImageAsync(repository, "v1");
        var shared = await Client.PushBlobAsync(source, OciHttp.RandomBytes(64));
        await fixture.LockAsync(repository, noWrite: true, noDelete: false);
        var says = $"lock on {repository}: no-write";

        using var upload = await Client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        using var mount = await Client.PostAsync($"/v2/{repository}/blobs/uploads/?mount={shared}&from={source}", null);
        using var manifest = await Client.PutManifestAsync(repository, "v2", m1);
        using var deleteTag = await Client.DeleteAsync($"/v2/{repository}/manifests/v1");
        using var deleteManifest = await Client.DeleteAsync($"/v2/{repository}/manifests/{d1}");

        foreach (var response in new[] { upload, mount, manifest, deleteTag, deleteManifest })
        {
            await GuardFixture.AssertDeniedAsync(response, says);
        }

        Assert.Equal(d1, await fixture.TagDigestAsync(repository, "v1"));
        Assert.Null(await fixture.TagDigestAsync(repository, "v2"));
    }

    [Fact]
    public async Task RepositoryLockedAgainstDeletesStillTakesPushes()
    {
        var repository = GuardFixture.NewName("lock/repo-nd");
        var (_, d1) = await Client.PushImageAsync(repository, "v1");
        await fixture.LockAsync(repository, noWrite: false, noDelete: true);

        await Client.PushImageAsync(repository, "v2");
        using var deleteTag = await Client.DeleteAsync($"/v2/{repository}/manifests/v1");
        using var deleteManifest = await Client.DeleteAsync($"/v2/{repository}/manifests/{d1}");

        await GuardFixture.AssertDeniedAsync(deleteTag, $"lock on {repository}: no-delete");
        await GuardFixture.AssertDeniedAsync(deleteManifest, $"lock on {repository}: no-delete");
        Assert.Equal(d1, await fixture.TagDigestAsync(repository, "v1"));
    }

    [Fact]
    public async Task TagLockedAgainstWritesStaysAndOneLockedAgainstDeletesMayMove()
    {
        var repository = GuardFixture.NewName("lock/tag");
        var (m1, d1) = await Client.PushImageAsync(repository, "v1");
        var (_, d2) = await Client.PushImageAsync(repository, "dev");
        var (m3, _) = await Client.PushImageAsync(repository, "other");
        await fixture.LockAsync($"{repository}:v1", noWrite: true, noDelete: false);
        await fixture.LockAsync($"{repository}:dev", noWrite: false, noDelete: true);

        using var moveLocked = await Client.PutManifestAsync(repository, "v1", m3);
        using var deleteLocked = await Client.DeleteAsync($"/v2/{repository}/manifests/v1");
        using var moveUndeletable = await Client.PutManifestAsync(repository, "dev", m1);
        using var deleteUndeletable = await Client.DeleteAsync($"/v2/{repository}/manifests/dev");

        await GuardFixture.AssertDeniedAsync(moveLocked, $"lock on {repository}:v1");
        await GuardFixture.AssertDeniedAsync(deleteLocked, $"lock on {repository}:v1");
        Assert.Equal(HttpStatusCode.Created, moveUndeletable.StatusCode);
        await GuardFixture.AssertDeniedAsync(deleteUndeletable, $"lock on {repository}:dev");
        Assert.Equal(d1, await fixture.TagDigestAsync(repository, "v1"));
        Assert.NotEqual(d2, await fixture.TagDigestAsync(repository, "dev"));
    }

    [Fact]
    public async Task LockedManifestIsNotDeletedAndNoWriteKeepsItsTagsOnIt()
    {
        var repository = GuardFixture.NewName("lock/manifest");
        var (_, d1) = await Client.PushImageAsync(repository, "kept");
        var (m2, d2) = await Client.PushImageAsync(repository, "pinned");
        await fixture.LockAsync($"{repository}@{d1}", noWrite: false, noDelete: true);
        await fixture.LockAsync($"{repository}@{d2}", noWrite: true, noDelete: false);

        using var deleteKept = await Client.DeleteAsync($"/v2/{repository}/manifests/{d1}");
        using var moveFromKept = await Client.PutManifestAsync(repository, "kept", m2);
        using var deletePinned = await Client.DeleteAsync($"/v2/{repository}/manifests/{d2}");
        using var deletePinnedTag = await Client.DeleteAsync($"/v2/{repository}/manifests/pinned");

        await GuardFixture.AssertDeniedAsync(deleteKept, $"lock on {repository}@{d1}: no-delete");
        Assert.Equal(HttpStatusCode.Created, moveFromKept.StatusCode); // no-delete alone lets tags move away
        await GuardFixture.AssertDeniedAsync(deletePinned, $"lock on {repository}@{d2}: no-write");
        await GuardFixture.AssertDeniedAsync(deletePinnedTag, $"lock on {repository}@{d2}: no-write");
        Assert.Equal(d2, await fixture.TagDigestAsync(repository, "pinned"));
    }

    [Fact]
    public async Task SkopeoCannotDeleteALockedManifest()
    {
        using var scratch = new SkopeoScratch("one");
        var digest = scratch.Images[0].Manifest.Digest;
        var repository = GuardFixture.NewName("lock/skopeo");
        var remote = $"docker://{fixture.Server.HostPort}/{repository}:v1";
        await scratch.Skopeo.CopyAsync(scratch.Layout.Reference("one"), remote);
        await fixture.LockAsync($"{repository}@{digest}", noWrite: false, noDelete: true);

        var delete = await Assert.ThrowsAsync<InvalidOperationException>(() => scratch.Skopeo.DeleteAsync(remote));

        Assert.Contains("denied", delete.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(digest, await fixture.TagDigestAsync(repository, "v1"));
    }
}
