using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

public sealed class BlobManagementFlowTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task MountFromAnotherRepositoryLinksWithoutUploading()
    {
        var digest = await _client.PushBlobAsync("mnt/source", OciHttp.RandomBytes(5000));
        using var mount = await _client.PostAsync($"/v2/mnt/target/blobs/uploads/?mount={digest}&from=mnt/source", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/mnt/target/blobs/{digest}", mount.Headers.Location!.ToString());
        Assert.Equal(digest, mount.Headers.GetValues("Docker-Content-Digest").Single());
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/mnt/target/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        // A mount is a link to the same stored content, not a copy.
        using var source = await _client.GetAsync($"/v2/mnt/source/blobs/{digest}");
        using var target = await _client.GetAsync($"/v2/mnt/target/blobs/{digest}");
        Assert.Equal(source.Headers.Location!.AbsolutePath, target.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task MountWithoutFromFindsTheBlobAnywhereInTheRegistry()
    {
        var digest = await _client.PushBlobAsync("mnt/anywhere", OciHttp.RandomBytes(100));
        using var mount = await _client.PostAsync($"/v2/mnt/auto/blobs/uploads/?mount={digest}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
    }

    [Fact]
    public async Task MountOfAnUnknownBlobOpensAnUploadInstead()
    {
        using var mount = await _client.PostAsync($"/v2/mnt/unknown/blobs/uploads/?mount={OciHttp.Sha256([7, 7, 7])}&from=mnt/none", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
        Assert.Contains("/v2/mnt/unknown/blobs/uploads/", mount.Headers.Location!.ToString());
    }

    [Fact]
    public async Task BlobLinkedOnlyInAnotherRepositoryIsUnknownHere()
    {
        var digest = await _client.PushBlobAsync("mnt/mine", OciHttp.RandomBytes(64));
        using var get = await _client.GetAsync($"/v2/mnt/yours/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await get.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeletedBlobAnswers404Afterwards()
    {
        var digest = await _client.PushBlobAsync("mnt/delete", OciHttp.RandomBytes(64));
        using var delete = await _client.DeleteAsync($"/v2/mnt/delete/blobs/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var get = await _client.GetAsync($"/v2/mnt/delete/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var again = await _client.DeleteAsync($"/v2/mnt/delete/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("BLOB_UNKNOWN", await again.ErrorCodeAsync());
    }

    [Fact]
    public async Task DeletingABlobThatAManifestStillReferencesIsRefusedNamingTheManifest()
    {
        var (manifest, digest) = await _client.PushImageAsync("mnt/inuse", "v1");
        var layer = System.Text.Json.JsonDocument.Parse(manifest).RootElement.GetProperty("layers")[0].GetProperty("digest").GetString();
        using var delete = await _client.DeleteAsync($"/v2/mnt/inuse/blobs/{layer}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Equal("UNSUPPORTED", await delete.ErrorCodeAsync());
        Assert.Contains(digest, await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/mnt/inuse/blobs/{layer}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);

        // Once the manifest is gone, the blob deletes as any unreferenced blob does.
        using var deleteManifest = await _client.DeleteAsync($"/v2/mnt/inuse/manifests/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, deleteManifest.StatusCode);
        using var again = await _client.DeleteAsync($"/v2/mnt/inuse/blobs/{layer}");
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
    }

    [Fact]
    public async Task SameContentPushedTwiceIsStoredOnce()
    {
        var content = OciHttp.RandomBytes(2000);
        var digest = await _client.PushBlobAsync("mnt/dedup-a", content);
        await _client.PushBlobAsync("mnt/dedup-b", content);
        using var a = await _client.GetAsync($"/v2/mnt/dedup-a/blobs/{digest}");
        using var b = await _client.GetAsync($"/v2/mnt/dedup-b/blobs/{digest}");
        Assert.Equal(a.Headers.Location!.AbsolutePath, b.Headers.Location!.AbsolutePath);
    }
}
