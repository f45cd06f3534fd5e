using System.Collections.Concurrent;
using System.Net;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRegistry.Events.Tests.EventGrid;

/// <summary>
/// The Event Grid client's HTTP transport in tests: the SDK's own HttpClient transport over a handler that records each
/// request as sent (method, URL, headers, body) and answers with <see cref="Status"/> (200 unless set).
/// </summary>
internal sealed class RecordingTransport : HttpPipelineTransport
{
    private readonly Recorder _recorder;
    private readonly HttpClientTransport _inner;

    public RecordingTransport()
    {
        _recorder = new Recorder();
        _inner = new HttpClientTransport(new HttpClient(_recorder));
    }

    public IReadOnlyCollection<Sent> Requests => _recorder.Requests;

    public HttpStatusCode Status { get => _recorder.Status; set => _recorder.Status = value; }

    public override Request CreateRequest() => _inner.CreateRequest();

    public override void Process(HttpMessage message) => _inner.Process(message);

    public override ValueTask ProcessAsync(HttpMessage message) => _inner.ProcessAsync(message);

    internal sealed record Sent(HttpMethod Method, Uri Url, Dictionary<string, string> Headers, byte[] Body);

    private sealed class Recorder : HttpMessageHandler
    {
        public ConcurrentQueue<Sent> Requests { get; } = new();

        public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var headers = request.Headers.Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
                .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            Requests.Enqueue(new Sent(request.Method, request.RequestUri!, headers, body));
            var response = new HttpResponseMessage(Status) { RequestMessage = request };
            if ((int)Status >= 400)
            {
                // Event Grid's error shape, as the SDK parses it into RequestFailedException.ErrorCode.
                response.Content = new StringContent($$$"""{"error":{"code":"Refused{{{(int)Status}}}","message":"refused by the test"}}""",
                    System.Text.Encoding.UTF8, "application/json");
            }

            return response;
        }
    }
}

/// <summary>A credential that hands out one fixed token and records the scopes asked for.</summary>
internal sealed class FixedTokenCredential(string token) : TokenCredential
{
    public ConcurrentQueue<string> Scopes { get; } = new();

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        foreach (var scope in requestContext.Scopes)
        {
            Scopes.Enqueue(scope);
        }

        return new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
