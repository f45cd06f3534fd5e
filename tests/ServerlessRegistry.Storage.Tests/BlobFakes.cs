using System.Diagnostics.CodeAnalysis;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>A clock that says what the test sets.</summary>
public sealed class BlobFixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A token credential that never calls anyone.</summary>
internal sealed class BlobFakeCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new("fake-token", DateTimeOffset.UtcNow.AddDays(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>A transport that hands every request to the test and answers what it returns, with no network.</summary>
internal sealed class BlobFakeTransport(Func<Request, Task<(int Status, byte[] Body)>> handler) : HttpPipelineTransport
{
    public override Request CreateRequest() => HttpClientTransport.Shared.CreateRequest();

    public override void Process(HttpMessage message) => ProcessAsync(message).AsTask().GetAwaiter().GetResult();

    public override async ValueTask ProcessAsync(HttpMessage message)
    {
        var (status, body) = await handler(message.Request);
        message.Response = new BlobFakeResponse(status, body);
    }
}

/// <summary>A canned answer. Like the service, an error answer repeats its XML Code in the x-ms-error-code header.</summary>
internal sealed class BlobFakeResponse(int status, byte[] body) : Response
{
    private readonly Dictionary<string, string> _headers = ErrorHeaders(status, body);

    public override int Status => status;

    public override string ReasonPhrase => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public override Stream? ContentStream { get; set; } = new MemoryStream(body);

    public override string ClientRequestId { get; set; } = "";

    public override void Dispose() => ContentStream?.Dispose();

    protected override bool ContainsHeader(string name) => _headers.ContainsKey(name);

    protected override IEnumerable<HttpHeader> EnumerateHeaders() => _headers.Select(h => new HttpHeader(h.Key, h.Value));

    protected override bool TryGetHeader(string name, [NotNullWhen(true)] out string? value) => _headers.TryGetValue(name, out value);

    protected override bool TryGetHeaderValues(string name, [NotNullWhen(true)] out IEnumerable<string>? values)
    {
        values = _headers.TryGetValue(name, out var value) ? [value] : null;
        return values is not null;
    }

    private static Dictionary<string, string> ErrorHeaders(int status, byte[] body)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = System.Text.Encoding.UTF8.GetString(body);
        var start = text.IndexOf("<Code>", StringComparison.Ordinal);
        var end = text.IndexOf("</Code>", StringComparison.Ordinal);
        if (status >= 400 && start >= 0 && end > start)
        {
            headers["x-ms-error-code"] = text[(start + "<Code>".Length)..end];
        }

        return headers;
    }
}
