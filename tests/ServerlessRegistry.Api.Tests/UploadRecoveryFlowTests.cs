using System.Net;
using System.Security.Cryptography;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>Uploads that finish with another digest algorithm than they hashed, or with a wrong digest.</summary>
public sealed class UploadRecoveryFlowTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task ChunkedUploadWithoutDigestAlgorithmCompletesWithASha512Digest()
    {
        // Three 64 KiB blocks and a bit: the staged content is read back in several ranges.
        var content = OciHttp.RandomBytes(200_000);
        var location = await StartAsync("rec/sha512");
        using var first = await _client.PatchChunkAsync(location, content, 0, 99_999);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await _client.PatchChunkAsync(location, content, 100_000, 199_999);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);

        using var put = await _client.PutAsync(location + "?digest=" + Sha512(content), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(Sha512(content), put.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Equal(content, await _client.FollowBlobAsync($"/v2/rec/sha512/blobs/{Sha512(content)}"));
    }

    [Fact]
    public async Task FinalPutWithASha512DigestAndTheLastChunkCompletesAPlainUpload()
    {
        var content = OciHttp.RandomBytes(90_000);
        var location = await StartAsync("rec/sha512tail");
        using var patch = await _client.PatchChunkAsync(location, content, 0, 49_999);
        using var put = await _client.PutAsync(location + "?digest=" + Sha512(content), new ByteArrayContent(content[50_000..]));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(content, await _client.FollowBlobAsync($"/v2/rec/sha512tail/blobs/{Sha512(content)}"));
    }

    [Fact]
    public async Task WrongSha512DigestOnAPlainUploadKeepsTheSessionForARetry()
    {
        var content = OciHttp.RandomBytes(70_000);
        var location = await StartAsync("rec/sha512wrong");
        using var patch = await _client.PatchChunkAsync(location, content, 0, content.Length - 1);

        using var wrong = await _client.PutAsync(location + "?digest=" + Sha512([1, 2, 3]), null);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("DIGEST_INVALID", await wrong.ErrorCodeAsync());
        await AssertOffsetAsync(location, content.Length);

        using var right = await _client.PutAsync(location + "?digest=" + Sha512(content), null);
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
        Assert.Equal(content, await _client.FollowBlobAsync($"/v2/rec/sha512wrong/blobs/{Sha512(content)}"));
    }

    [Fact]
    public async Task WrongDigestOnTheFinalPutKeepsTheSessionSoTheClientCanRetry()
    {
        var content = OciHttp.RandomBytes(80_000);
        var location = await StartAsync("rec/wrong");
        using var patch = await _client.PatchChunkAsync(location, content, 0, 59_999);

        // The wrong PUT carries the last chunk: the session stays as it was before it.
        using var wrong = await _client.PutAsync(location + "?digest=" + OciHttp.Sha256([9]), new ByteArrayContent(content[60_000..]));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal("DIGEST_INVALID", await wrong.ErrorCodeAsync());
        await AssertOffsetAsync(location, 60_000);

        using var right = await _client.PutAsync(location + "?digest=" + OciHttp.Sha256(content), new ByteArrayContent(content[60_000..]));
        Assert.Equal(HttpStatusCode.Created, right.StatusCode);
        Assert.Equal(content, await _client.FollowBlobAsync($"/v2/rec/wrong/blobs/{OciHttp.Sha256(content)}"));
    }

    [Fact]
    public async Task MonolithicSha512PushCanBeMountedBySha512Digest()
    {
        var content = OciHttp.RandomBytes(100_000);
        var digest = Sha512(content);
        using var post = await _client.PostAsync($"/v2/rec/mono512/blobs/uploads/?digest={digest}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        using var mount = await _client.PostAsync($"/v2/rec/mount512/blobs/uploads/?mount={digest}&from=rec/mono512", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal(content, await _client.FollowBlobAsync($"/v2/rec/mount512/blobs/{digest}"));
    }

    [Fact]
    public async Task OutOfOrderChunksAreRefusedAndTheUploadStillCompletesWithSha512()
    {
        var content = OciHttp.RandomBytes(60_000);
        var location = await StartAsync("rec/order");
        using var late = await _client.PatchChunkAsync(location, content, 30_000, 59_999);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, late.StatusCode);
        using var first = await _client.PatchChunkAsync(location, content, 0, 29_999);
        using var second = await _client.PatchChunkAsync(location, content, 30_000, 59_999);
        using var put = await _client.PutAsync(location + "?digest=" + Sha512(content), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    private async Task<string> StartAsync(string repository)
    {
        using var start = await _client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        return start.Headers.Location!.ToString();
    }

    private async Task AssertOffsetAsync(string location, int bytes)
    {
        using var status = await _client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal($"0-{bytes - 1}", status.Headers.GetValues("Range").Single());
    }

    private static string Sha512(byte[] content) => "sha512:" + Convert.ToHexStringLower(SHA512.HashData(content));
}
