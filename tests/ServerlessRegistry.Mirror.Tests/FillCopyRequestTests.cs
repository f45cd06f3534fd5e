using System.Collections.Concurrent;
using System.Net;
using System.Web;
using System.Xml.Linq;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Mirror.Fill;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// The service-side copy as the Blob service sees it: the requests the blob adapter sends for a fill, recorded by a
/// transport under the real SDK pipeline (Azurite cannot run this path: it copies only from itself).
/// </summary>
public sealed class FillCopyRequestTests
{
    private static readonly Uri Source = new("https://cdn.example.net/blobs/sha256/ab/data?sig=a%2Bb%3D&expires=1767225600");

    [Fact]
    public async Task ServiceSideCopyStagesEachRangeFromTheLocationThenCommitsTheBlocksInOrder()
    {
        var recorder = new RecordingHandler(copyAnswer: HttpStatusCode.Created);
        var (fill, blobs) = Create(recorder);
        var length = 2 * LocationFill.CopyBlockSize + 12_345;

        var ids = await fill.TryCopyAsync("data/fill", 7, Source, length, default);
        Assert.NotNull(ids);
        await blobs.CommitBlocksAsync("data/fill", ids, BlobService.ContentType, default);

        var copies = recorder.Requests.Where(r => r.Query["comp"] == "block").ToList();
        Assert.Equal(3, copies.Count);
        Assert.All(copies, c =>
        {
            Assert.Equal("PUT", c.Method);
            Assert.Equal(Source.AbsoluteUri, c.Headers["x-ms-copy-source"]);
            Assert.Equal("0", c.Headers["Content-Length"]);
            Assert.EndsWith("/data/fill", c.Path, StringComparison.Ordinal);
        });
        var rangeById = copies.ToDictionary(c => c.Query["blockid"]!, c => c.Headers["x-ms-source-range"]);
        Assert.Equal(
            [$"bytes=0-{LocationFill.CopyBlockSize - 1}", $"bytes={LocationFill.CopyBlockSize}-{2 * LocationFill.CopyBlockSize - 1}", $"bytes={2 * LocationFill.CopyBlockSize}-{length - 1}"],
            ids.Select(id => rangeById[id]));
        Assert.Equal(ids, LocationFill.BlockIds(7, 3));

        var commit = Assert.Single(recorder.Requests, r => r.Query["comp"] == "blocklist");
        Assert.Equal("PUT", commit.Method);
        Assert.Equal(ids, XDocument.Parse(commit.Body).Root!.Elements().Select(e => e.Value));
        Assert.Equal("Latest", XDocument.Parse(commit.Body).Root!.Elements().Select(e => e.Name.LocalName).Distinct().Single());
    }

    [Fact]
    public async Task ARefusedFirstCopyStagesNothingMoreAndLetsTheFillStream()
    {
        var recorder = new RecordingHandler(copyAnswer: HttpStatusCode.NotFound, copyError: "CannotVerifyCopySource");
        var (fill, _) = Create(recorder);

        var ids = await fill.TryCopyAsync("data/fill", 7, Source, 3 * LocationFill.CopyBlockSize, default);

        Assert.Null(ids);
        Assert.Single(recorder.Requests);
    }

    private static (LocationFill Fill, IBlobStore Blobs) Create(RecordingHandler recorder)
    {
        var options = new AzureStorageOptions
        {
            BlobEndpoint = new Uri("http://127.0.0.1:9/" + Azurite.AccountName),
            TableEndpoint = new Uri("http://127.0.0.1:9/" + Azurite.AccountName),
            AccountName = Azurite.AccountName,
            AccountKey = Azurite.AccountKey,
            Transport = new HttpClientTransport(recorder),
        };
        var layout = new StorageLayout(Azurite.NewPrefix());
        var blobs = new AzureStorage(options, TimeProvider.System).CreateBlobStore(layout);
        var storage = new RegistryStorage(layout, blobs, new InMemoryMetadataStore());
        var registry = new RegistryOptions();
        var fill = new LocationFill(null!, storage, new BlobService(storage, registry, TimeProvider.System), registry, NullLogger<LocationFill>.Instance);
        return (fill, blobs);
    }

    /// <summary>Records every storage request and answers as the Blob service would: 201 for Put Block (From URL) and Put Block List.</summary>
    private sealed class RecordingHandler(HttpStatusCode copyAnswer, string? copyError = null) : HttpMessageHandler
    {
        public sealed record Recorded(string Method, string Path, System.Collections.Specialized.NameValueCollection Query, Dictionary<string, string> Headers, string Body);

        private readonly ConcurrentQueue<Recorded> _requests = new();

        public IReadOnlyList<Recorded> Requests => [.. _requests];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
                .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            headers.TryAdd("Content-Length", (request.Content?.Headers.ContentLength ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var query = HttpUtility.ParseQueryString(request.RequestUri!.Query);
            _requests.Enqueue(new Recorded(request.Method.Method, request.RequestUri.AbsolutePath, query, headers, body));

            var status = query["comp"] == "block" && headers.ContainsKey("x-ms-copy-source") ? copyAnswer : HttpStatusCode.Created;
            var response = new HttpResponseMessage(status) { Content = new ByteArrayContent([]) };
            response.Headers.Add("x-ms-request-id", Guid.NewGuid().ToString());
            response.Headers.Add("x-ms-version", "2025-05-05");
            response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"0x8DD0000000000001\"");
            response.Content.Headers.LastModified = DateTimeOffset.UtcNow;
            if (status != HttpStatusCode.Created && copyError is not null)
            {
                response.Headers.Add("x-ms-error-code", copyError);
            }

            return response;
        }
    }
}
