using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ServerlessRegistry.Events.Webhooks;

/// <summary>
/// A webhook: POSTs <c>{"events":[…]}</c> (<see cref="EventEnvelope.MediaType"/>) with the configured headers and, when a
/// secret is set, <c>X-Registry-Signature-256: sha256={hex HMAC-SHA256 of the body}</c>. Any 2xx is success; anything
/// else, or no answer, is a <see cref="DeliveryException"/> and the events are tried again. Thread-safe.
/// </summary>
/// <remarks>Receivers de-duplicate on the event ids: a retry or redelivery sends the same ids again.</remarks>
internal sealed class WebhookDestination : IEventDestination
{
    public const string SignatureHeader = "X-Registry-Signature-256";

    private readonly WebhookOptions _options;
    private readonly EventFilter _filter;
    private readonly HttpClient _client;
    private readonly byte[]? _key;
    private readonly string _shownAs;
    private readonly string? _unusable;

    /// <param name="unusable">Why every delivery fails (a stored webhook's secret setting is missing), or null.</param>
    public WebhookDestination(WebhookOptions options, HttpClient client, string? unusable = null)
    {
        _unusable = unusable;
        _options = options;
        _filter = new EventFilter(options.Actions, options.Repositories, EventActions.All);
        _client = client;
        _key = string.IsNullOrEmpty(options.Secret) ? null : Encoding.UTF8.GetBytes(options.Secret);
        Name = "webhook:" + options.Name;
        // Error texts are logged and kept in dead letters; a webhook URL's path or query often is its secret (Slack and
        // Teams paths, ?code=), so they name only the scheme and authority.
        _shownAs = $"{Name} ({options.Url?.GetLeftPart(UriPartial.Authority)})";
    }

    public string Name { get; }

    public bool CouldAccept(string action) => _filter.CouldAccept(action);

    public bool Accepts(RegistryEvent e) => _filter.Accepts(e);

    public async Task DeliverAsync(IReadOnlyList<RegistryEvent> events, CancellationToken cancellationToken)
    {
        if (_unusable is not null)
        {
            throw new DeliveryException($"{_shownAs} cannot be sent: {_unusable}");
        }

        var body = JsonSerializer.SerializeToUtf8Bytes(new EventEnvelope(events), EventsJson.Default.EventEnvelope);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(EventEnvelope.MediaType);
        foreach (var (name, value) in _options.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (_key is not null)
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, Signature(_key, body));
        }

        HttpResponseMessage response;
        try
        {
            response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new DeliveryException($"{_shownAs} did not answer: {e.Message}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new DeliveryException($"{_shownAs} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
    }

    /// <summary>sha256={lower-case hex HMAC-SHA256 of <paramref name="body"/> with <paramref name="key"/>}, as GitHub signs.</summary>
    public static string Signature(byte[] key, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body));
}
