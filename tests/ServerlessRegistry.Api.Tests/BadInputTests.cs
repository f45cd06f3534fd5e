using System.Net;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Errors;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

public sealed class BadInputTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Theory]
    [InlineData("GET", "/v2/UPPER/tags/list", 400, "NAME_INVALID")]
    [InlineData("GET", "/v2/a..b/manifests/latest", 400, "NAME_INVALID")]
    [InlineData("GET", "/v2/ok/manifests/-bad-tag", 404, "MANIFEST_UNKNOWN")]
    [InlineData("GET", "/v2/ok/manifests/.INVALID_MANIFEST_NAME", 404, "MANIFEST_UNKNOWN")]
    [InlineData("HEAD", "/v2/ok/manifests/.INVALID_MANIFEST_NAME", 404, null)]
    [InlineData("GET", "/v2/ok/manifests/sha256:abc", 404, "MANIFEST_UNKNOWN")]
    [InlineData("PUT", "/v2/ok/manifests/-bad-tag", 400, "TAG_INVALID")]
    [InlineData("GET", "/v2/ok/blobs/sha256:abc", 400, "DIGEST_INVALID")]
    [InlineData("GET", "/v2/ok/blobs/sha256:A665A45920422F9D417E4867EFDC4FB8A04A1F3FFF1FA07E998E86F7F7A27AE3", 400, "DIGEST_INVALID")]
    [InlineData("GET", "/v2/ok/blobs/md5:d41d8cd98f00b204e9800998ecf8427e", 400, "DIGEST_INVALID")]
    [InlineData("HEAD", "/v2/ok/blobs/sha256:a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3", 404, null)]
    [InlineData("GET", "/v2/ok/referrers/nodigest", 400, "DIGEST_INVALID")]
    [InlineData("POST", "/v2/ok/blobs/uploads/?mount=sha256:zz", 400, "DIGEST_INVALID")]
    [InlineData("PUT", "/v2/ok/blobs/uploads/0123456789abcdef0123456789abcdef", 400, "DIGEST_INVALID")]
    [InlineData("PATCH", "/v2/ok/blobs/uploads/not-an-upload", 404, "BLOB_UPLOAD_UNKNOWN")]
    [InlineData("GET", "/v2/ok/blobs/uploads/0123456789abcdef0123456789abcdef", 404, "BLOB_UPLOAD_UNKNOWN")]
    [InlineData("POST", "/v2/ok/manifests/latest", 405, "UNSUPPORTED")]
    [InlineData("GET", "/v2/ok/nothing", 404, "UNSUPPORTED")]
    [InlineData("GET", "/elsewhere", 404, "UNSUPPORTED")]
    public async Task BadRequestsGetASpecErrorAndNeverA500(string method, string url, int status, string? code)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), url));
        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        if (code is not null)
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(code, await response.ErrorCodeAsync());
        }
    }

    [Theory]
    [InlineData("three-bytes", 400, "BLOB_UPLOAD_INVALID")]
    [InlineData("0-9", 400, "SIZE_INVALID")]
    [InlineData("5-2", 416, "BLOB_UPLOAD_INVALID")]
    public async Task BadChunkRangesAreRefusedAndNotRecorded(string contentRange, int status, string code)
    {
        using var start = await _client.PostAsync("/v2/bad/range/blobs/uploads/", null);
        var body = new ByteArrayContent([1, 2, 3]);
        body.Headers.TryAddWithoutValidation("Content-Range", contentRange);
        using var patch = await _client.PatchAsync(start.Headers.Location, body);
        Assert.Equal((HttpStatusCode)status, patch.StatusCode);
        Assert.Equal(code, await patch.ErrorCodeAsync());
        using var upload = await _client.GetAsync(start.Headers.Location);
        Assert.Equal("0-0", upload.Headers.GetValues("Range").Single());
    }

    [Fact]
    public void EveryErrorKindHasACodeAndStatus()
    {
        foreach (var kind in Enum.GetValues<ErrorKind>())
        {
            Assert.True(ErrorTable.Covers(kind), kind.ToString());
            Assert.InRange(ErrorTable.For(kind).Status, 400, 599);
        }
    }
}
