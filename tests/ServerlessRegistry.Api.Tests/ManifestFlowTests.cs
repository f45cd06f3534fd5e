using System.Net;
using System.Text;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

public sealed class ManifestFlowTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task PushedManifestIsServedByteForByteByTagAndByDigest()
    {
        var (manifest, digest) = await _client.PushImageAsync("man/pull", "v1");
        foreach (var reference in new[] { "v1", digest })
        {
            using var get = await _client.GetAsync($"/v2/man/pull/manifests/{reference}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(OciHttp.OciManifest, get.Content.Headers.ContentType!.MediaType);
            Assert.Equal(digest, get.Headers.GetValues("Docker-Content-Digest").Single());
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());

            using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/man/pull/manifests/{reference}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(manifest.Length, head.Content.Headers.ContentLength);
            Assert.Equal(digest, head.Headers.GetValues("Docker-Content-Digest").Single());
        }
    }

    [Fact]
    public async Task InlineManifestPushedWithManyTagsIsServedByEveryTag()
    {
        // 98 copies of a 50 KB manifest would overflow a 4 MiB table batch.
        var config = OciHttp.RandomBytes(100);
        var layer = OciHttp.RandomBytes(100);
        var configDigest = await _client.PushBlobAsync("man/manytags", config);
        var layerDigest = await _client.PushBlobAsync("man/manytags", layer);
        var manifest = OciHttp.ImageManifest(configDigest, config.Length, layerDigest, layer.Length, annotation: new string('x', 50_000));
        var tags = string.Join('&', Enumerable.Range(1, 97).Select(i => "tag=t" + i));
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new(OciHttp.OciManifest);
        using var put = await _client.PutAsync($"/v2/man/manytags/manifests/t0?{tags}", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);

        foreach (var tag in new[] { "t0", "t50", "t97" })
        {
            using var get = await _client.GetAsync($"/v2/man/manytags/manifests/{tag}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(OciHttp.Sha256(manifest), get.Headers.GetValues("Docker-Content-Digest").Single());
            Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task PushWithMoreTagsThanABatchHoldsIsRefusedAndListsNoRepository()
    {
        var tags = string.Join('&', Enumerable.Range(1, 120).Select(i => "tag=t" + i));
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}"));
        content.Headers.ContentType = new(OciHttp.OciManifest);
        using var put = await _client.PutAsync($"/v2/man/toomanytags/manifests/t0?{tags}", content);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("TAG_INVALID", await put.ErrorCodeAsync());
        using var catalog = await _client.GetAsync("/v2/_catalog");
        Assert.DoesNotContain("man/toomanytags", await catalog.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAnswersLocationAndDigest()
    {
        var config = await _client.PushBlobAsync("man/put", [1]);
        var layer = await _client.PushBlobAsync("man/put", [2]);
        var manifest = OciHttp.ImageManifest(config, 1, layer, 1);
        using var put = await _client.PutManifestAsync("man/put", "latest", manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(OciHttp.Sha256(manifest), put.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal($"/v2/man/put/manifests/{OciHttp.Sha256(manifest)}", put.Headers.Location!.ToString());
    }

    [Fact]
    public async Task ManifestReferencingABlobNotLinkedHereIsRefused()
    {
        var config = await _client.PushBlobAsync("man/other", [1, 1]);
        var layer = await _client.PushBlobAsync("man/other", [2, 2]);
        using var put = await _client.PutManifestAsync("man/missing", "v1", OciHttp.ImageManifest(config, 2, layer, 2));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_BLOB_UNKNOWN", await put.ErrorCodeAsync());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("{\"schemaVersion\":1,\"config\":{},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:nothex\",\"size\":1},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"config\":{\"mediaType\":\"a/b\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":-1},\"layers\":[]}")]
    [InlineData("{\"schemaVersion\":2,\"layers\":[]}")]
    public async Task InvalidManifestsGetManifestInvalid(string body)
    {
        using var put = await _client.PutManifestAsync("man/invalid", "v1", Encoding.UTF8.GetBytes(body));
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Equal("MANIFEST_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task ManifestOverFourMebibytesGets413()
    {
        using var put = await _client.PutManifestAsync("man/huge", "v1", new byte[4 * 1024 * 1024 + 1]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
        Assert.Equal("SIZE_INVALID", await put.ErrorCodeAsync());
    }

    [Fact]
    public async Task ManifestOverTheInlineLimitIsStoredAsABlobAndServedVerbatim()
    {
        var (manifest, digest) = await _client.PushImageAsync("man/large", "big", annotation: new string('x', 200_000));
        Assert.True(manifest.Length > 200_000);
        using var get = await _client.GetAsync($"/v2/man/large/manifests/{digest}");
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        using var byTag = await _client.GetAsync("/v2/man/large/manifests/big");
        Assert.Equal(manifest, await byTag.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PutByDigestMustMatchTheContent()
    {
        var (manifest, _) = await _client.PushImageAsync("man/bydigest", "v1");
        using var wrong = await _client.PutManifestAsync("man/bydigest", OciHttp.Sha256([9]), manifest);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("DIGEST_INVALID", await wrong.ErrorCodeAsync());
        using var right = await _client.PutManifestAsync("man/bydigest", OciHttp.Sha256(manifest), manifest);
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
    }

    [Fact]
    public async Task ManifestPushedBySha512DigestIsServedBySha512Digest()
    {
        var (manifest, _) = await _client.PushImageAsync("man/sha512", "v1");
        var digest = "sha512:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(manifest));
        using var put = await _client.PutManifestAsync("man/sha512", digest, manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, put.Headers.GetValues("Docker-Content-Digest").Single());
        using var get = await _client.GetAsync($"/v2/man/sha512/manifests/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(digest, get.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task PutWithTagParametersTagsEveryOneAndSaysSo()
    {
        var (manifest, digest) = await _client.PushImageAsync("man/multitag", "first");
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new(OciHttp.OciManifest);
        using var put = await _client.PutAsync($"/v2/man/multitag/manifests/{digest}?tag=a&tag=b&tag=c", content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(["a", "b", "c"], put.Headers.GetValues("OCI-Tag").SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).Order());
        foreach (var tag in new[] { "a", "b", "c" })
        {
            using var get = await _client.GetAsync($"/v2/man/multitag/manifests/{tag}");
            Assert.Equal(digest, get.Headers.GetValues("Docker-Content-Digest").Single());
        }
    }

    [Fact]
    public async Task SparseIndexIsAccepted()
    {
        var child = "sha256:" + new string('a', 64);
        var index = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{OciHttp.OciIndex}\",\"manifests\":[{{\"mediaType\":\"{OciHttp.OciManifest}\",\"digest\":\"{child}\",\"size\":10,\"platform\":{{\"architecture\":\"arm64\",\"os\":\"linux\"}}}}]}}");
        using var put = await _client.PutManifestAsync("man/index", "multi", index, OciHttp.OciIndex);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await _client.GetAsync("/v2/man/index/manifests/multi");
        Assert.Equal(OciHttp.OciIndex, get.Content.Headers.ContentType!.MediaType);
        Assert.Equal(index, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task DeleteByTagRemovesOnlyTheTag()
    {
        var (_, digest) = await _client.PushImageAsync("man/deltag", "v1");
        using var delete = await _client.DeleteAsync("/v2/man/deltag/manifests/v1");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var byTag = await _client.GetAsync("/v2/man/deltag/manifests/v1");
        Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await byTag.ErrorCodeAsync());
        using var byDigest = await _client.GetAsync($"/v2/man/deltag/manifests/{digest}");
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task DeleteByDigestRemovesTheManifestAndEveryTagOfIt()
    {
        var (manifest, digest) = await _client.PushImageAsync("man/deldigest", "v1");
        using (await _client.PutManifestAsync("man/deldigest", "v2", manifest))
        {
        }

        using var delete = await _client.DeleteAsync($"/v2/man/deldigest/manifests/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        foreach (var reference in new[] { digest, "v1", "v2" })
        {
            using var get = await _client.GetAsync($"/v2/man/deldigest/manifests/{reference}");
            Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        }

        using var tags = await _client.GetAsync("/v2/man/deldigest/tags/list");
        Assert.Equal("{\"name\":\"man/deldigest\",\"tags\":[]}", await tags.Content.ReadAsStringAsync());
        using var again = await _client.DeleteAsync($"/v2/man/deldigest/manifests/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task UnknownManifestGets404ManifestUnknown()
    {
        using var get = await _client.GetAsync("/v2/man/nothing/manifests/latest");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal("MANIFEST_UNKNOWN", await get.ErrorCodeAsync());
    }
}
