using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>
/// Storage goes away in the middle of an upload and comes back: requests meanwhile get 503 UNAVAILABLE with the
/// error envelope and Retry-After, and afterwards the upload resumes from the Range the registry reports.
/// Runs on a private Azurite that keeps its data on disk, so it can be killed and restarted.
/// </summary>
public sealed class StorageOutageTests
{
    private const int FirstChunk = 8 * 1024 * 1024;
    private const int Total = 40 * 1024 * 1024;

    [Fact]
    public async Task StorageOutageAnswers503AndTheUploadResumesFromItsRangeOnceStorageIsBack()
    {
        var location = Directory.CreateTempSubdirectory("azurite-outage-").FullName;
        var azurite = await Azurite.StartPrivateAsync(location);
        RegistryServer? registry = null;
        try
        {
            registry = await RegistryServer.StartAsync(azurite: azurite);
            var client = registry.Client;
            var content = OciHttp.RandomBytes(Total);
            await client.PushImageAsync("outage/app", "before");
            using var start = await client.PostAsync("/v2/outage/app/blobs/uploads/", null);
            var upload = start.Headers.Location!.ToString();
            using (var first = await client.PatchAsync(upload, Chunk(content, 0, FirstChunk)))
            {
                Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            }

            // Azurite writes its data files every 5 s, and a crash loses what came after the last write, as a crash would.
            // Two rounds: on a busy machine a round can start late, and the first chunk must be on disk before the crash.
            await Task.Delay(TimeSpan.FromSeconds(11));

            var body = new HaltingContent(content.AsMemory(FirstChunk), haltAfter: 12 * 1024 * 1024);
            var patch = client.PatchAsync(upload, body);
            await body.Halted;
            azurite.Kill();
            body.Resume();

            using (var failed = await patch)
            {
                await AssertUnavailableAsync(failed);
            }

            using (var tags = await client.GetAsync("/v2/outage/app/tags/list"))
            {
                await AssertUnavailableAsync(tags);
            }

            azurite = await azurite.RestartAsync();

            using (var tags = await client.GetAsync("/v2/outage/app/tags/list"))
            {
                Assert.Equal(HttpStatusCode.OK, tags.StatusCode);
            }

            using var status = await client.GetAsync(upload);
            Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
            var range = status.Headers.GetValues("Range").Single();
            Assert.Equal($"0-{FirstChunk - 1}", range);
            var next = int.Parse(range[2..], System.Globalization.CultureInfo.InvariantCulture) + 1;

            using (var rest = await client.PatchAsync(upload, Chunk(content, next, Total - next)))
            {
                Assert.Equal(HttpStatusCode.Accepted, rest.StatusCode);
                Assert.Equal($"0-{Total - 1}", rest.Headers.GetValues("Range").Single());
            }

            var digest = OciHttp.Sha256(content);
            using (var put = await client.PutAsync($"{upload}{(upload.Contains('?') ? '&' : '?')}digest={digest}", null))
            {
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
                Assert.Equal(digest, put.Headers.GetValues("Docker-Content-Digest").Single());
            }

            using var get = await client.GetAsync($"/v2/outage/app/blobs/{digest}");
            using var storage = new HttpClient();
            Assert.Equal(digest, OciHttp.Sha256(await storage.GetByteArrayAsync(get.Headers.Location)));
        }
        finally
        {
            // Clean-up needs storage, also when the test failed while it was down.
            if (!azurite.IsRunning)
            {
                azurite = await azurite.RestartAsync();
            }

            if (registry is not null)
            {
                await registry.DisposeAsync();
            }

            azurite.Kill();
            Directory.Delete(location, recursive: true);
        }
    }

    private static ByteArrayContent Chunk(byte[] content, int offset, int length)
    {
        var chunk = new ByteArrayContent(content, offset, length);
        chunk.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        chunk.Headers.ContentType = new("application/octet-stream");
        return chunk;
    }

    private static async Task AssertUnavailableAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("UNAVAILABLE", await response.ErrorCodeAsync());
        Assert.NotNull(response.Headers.RetryAfter);
    }

    /// <summary>A streamed body (no Content-Length) that stops after some bytes until the test lets it go on.</summary>
    private sealed class HaltingContent(ReadOnlyMemory<byte> content, int haltAfter) : HttpContent
    {
        private readonly TaskCompletionSource _halted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Halted => _halted.Task;

        public void Resume() => _resume.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            const int Piece = 256 * 1024;
            for (var sent = 0; sent < content.Length; sent += Piece)
            {
                if (sent >= haltAfter && !_halted.Task.IsCompleted)
                {
                    _halted.TrySetResult();
                    await _resume.Task;
                }

                await stream.WriteAsync(content.Slice(sent, Math.Min(Piece, content.Length - sent)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
