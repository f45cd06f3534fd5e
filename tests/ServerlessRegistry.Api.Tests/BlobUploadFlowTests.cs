using System.Net;
using System.Net.Http.Headers;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

public sealed class BlobUploadFlowTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task GetApiVersionAnswers200WithTheVersionHeader()
    {
        using var response = await _client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", response.Headers.GetValues("Docker-Distribution-API-Version").Single());
    }

    [Fact]
    public async Task MonolithicPushThenGetRedirectsToAReadOnlyUrlForThatBlob()
    {
        var content = OciHttp.RandomBytes(300_000);
        var digest = await _client.PushBlobAsync("flow/mono", content);

        using var get = await _client.GetAsync($"/v2/flow/mono/blobs/{digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, get.StatusCode);
        Assert.Equal(digest, get.Headers.GetValues("Docker-Content-Digest").Single());
        var sas = get.Headers.Location!;
        var query = System.Web.HttpUtility.ParseQueryString(sas.Query);
        Assert.Equal("r", query["sp"]);
        Assert.Equal("b", query["sr"]);
        Assert.True(DateTimeOffset.Parse(query["se"]!, System.Globalization.CultureInfo.InvariantCulture) < DateTimeOffset.UtcNow.AddMinutes(15));

        using var storage = new HttpClient();
        Assert.Equal(content, await storage.GetByteArrayAsync(sas));
        using var ranged = new HttpRequestMessage(HttpMethod.Get, sas);
        ranged.Headers.Range = new RangeHeaderValue(500, 1499);
        using var part = await storage.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(content[500..1500], await part.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task HeadBlobAnswersLengthAndDigestWithoutRedirect()
    {
        var content = OciHttp.RandomBytes(4321);
        var digest = await _client.PushBlobAsync("flow/head", content);
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/flow/head/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(4321, head.Content.Headers.ContentLength);
        Assert.Equal(digest, head.Headers.GetValues("Docker-Content-Digest").Single());
    }

    [Fact]
    public async Task SinglePostWithDigestCreatesTheBlob()
    {
        var content = OciHttp.RandomBytes(70_000);
        var digest = OciHttp.Sha256(content);
        using var post = await _client.PostAsync($"/v2/flow/single/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal($"/v2/flow/single/blobs/{digest}", post.Headers.Location!.ToString());
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/flow/single/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task StreamedPatchWithoutContentRangeThenEmptyPutCompletesTheUpload()
    {
        var content = OciHttp.RandomBytes(1_000_003);
        var digest = OciHttp.Sha256(content);
        using var start = await _client.PostAsync("/v2/flow/streamed/blobs/uploads/", null);
        var location = start.Headers.Location!.ToString();
        Assert.Equal(start.Headers.GetValues("Docker-Upload-UUID").Single(), location.Split('/')[^1]);

        // No Content-Length: the body goes out with chunked transfer encoding, as docker sends a layer.
        var streamed = new StreamContent(new NonSeekableStream(content));
        using var patch = await _client.PatchAsync(location, streamed);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal($"0-{content.Length - 1}", patch.Headers.GetValues("Range").Single());

        using var put = await _client.PutAsync(patch.Headers.Location + "?digest=" + digest, null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest, put.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(content, await _client.FollowBlobAsync($"/v2/flow/streamed/blobs/{digest}"));
    }

    [Fact]
    public async Task ChunkedPatchesInOrderReportStatusAndCompleteWithAFinalChunk()
    {
        var content = OciHttp.RandomBytes(200_000);
        var digest = OciHttp.Sha256(content);
        using var start = await _client.PostAsync("/v2/flow/chunked/blobs/uploads/", null);
        var location = start.Headers.Location!.ToString();

        using (var first = await _client.PatchChunkAsync(location, content, 0, 99_999))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            Assert.Equal("0-99999", first.Headers.GetValues("Range").Single());
        }

        using (var status = await _client.GetAsync(location))
        {
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            Assert.Equal("0-99999", status.Headers.GetValues("Range").Single());
        }

        using (var second = await _client.PatchChunkAsync(location, content, 100_000, 149_999))
        {
            Assert.Equal("0-149999", second.Headers.GetValues("Range").Single());
        }

        var last = new ByteArrayContent(content[150_000..]);
        last.Headers.TryAddWithoutValidation("Content-Range", "150000-199999");
        using var put = await _client.PutAsync(location + "?digest=" + digest, last);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await _client.FollowBlobAsync($"/v2/flow/chunked/blobs/{digest}"));
    }

    [Fact]
    public async Task OutOfOrderAndRepeatedChunksGet416AndChangeNothing()
    {
        var content = OciHttp.RandomBytes(2048);
        using var start = await _client.PostAsync("/v2/flow/order/blobs/uploads/", null);
        var location = start.Headers.Location!.ToString();
        using (var skip = await _client.PatchChunkAsync(location, content, 1024, 2047))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, skip.StatusCode);
            Assert.Equal("BLOB_UPLOAD_INVALID", await skip.ErrorCodeAsync());
        }

        using (var first = await _client.PatchChunkAsync(location, content, 0, 1023))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        using (var again = await _client.PatchChunkAsync(location, content, 0, 1023))
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, again.StatusCode);
        }

        using var status = await _client.GetAsync(location);
        Assert.Equal("0-1023", status.Headers.GetValues("Range").Single());
    }

    [Fact]
    public async Task ZeroByteBlobRoundTrips()
    {
        var digest = await _client.PushBlobAsync("flow/empty", []);
        Assert.Empty(await _client.FollowBlobAsync($"/v2/flow/empty/blobs/{digest}"));
    }

    [Fact]
    public async Task Sha512UploadsAndReferencesWork()
    {
        var content = OciHttp.RandomBytes(150_000);
        var digest = "sha512:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA512.HashData(content));
        using var start = await _client.PostAsync("/v2/flow/sha512/blobs/uploads/?digest-algorithm=sha512", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        using var patch = await _client.PatchChunkAsync(location, content, 0, content.Length - 1);
        using var put = await _client.PutAsync(location + "?digest=" + digest, null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await _client.FollowBlobAsync($"/v2/flow/sha512/blobs/{digest}"));

        using var wrongAlgorithm = await _client.PostAsync("/v2/flow/sha512/blobs/uploads/?digest-algorithm=md5", null);
        Assert.Equal(HttpStatusCode.BadRequest, wrongAlgorithm.StatusCode);
        Assert.Equal("DIGEST_INVALID", await wrongAlgorithm.ErrorCodeAsync());
    }

    [Fact]
    public async Task CancelledUploadIsGone()
    {
        using var start = await _client.PostAsync("/v2/flow/cancel/blobs/uploads/", null);
        var location = start.Headers.Location!.ToString();
        using var cancel = await _client.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        using var status = await _client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        using var again = await _client.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task UploadSessionsBelongToTheirRepository()
    {
        using var start = await _client.PostAsync("/v2/flow/owner/blobs/uploads/", null);
        var id = start.Headers.Location!.ToString().Split('/')[^1];
        using var elsewhere = await _client.GetAsync($"/v2/flow/intruder/blobs/uploads/{id}");
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await elsewhere.ErrorCodeAsync());
    }
}
