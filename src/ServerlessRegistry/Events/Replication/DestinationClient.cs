using System.Net;
using System.Net.Http.Headers;

namespace ServerlessRegistry.Events.Replication;

/// <summary>
/// The distribution API of replication destinations, for pushing: blob and manifest HEADs, monolithic blob uploads
/// (POST, then PUT with <c>?digest=</c> streaming the body) and manifest PUTs, with anonymous, Basic or Docker token
/// auth (DestinationClient.Auth.cs). Every failure is a <see cref="DeliveryException"/> whose message names the
/// destination, the request and its answer.
/// </summary>
/// <remarks>
/// Thread-safe; one instance per process. Every call is idempotent at the destination (content is addressed by digest;
/// a tag PUT of the same bytes changes nothing). No redirect is followed, so credentials never leave the destination.
/// </remarks>
internal sealed partial class DestinationClient : IDisposable
{
    /// <summary>Every manifest type, listed one by one: without an index type some registries rewrite or refuse an index.</summary>
    public const string ManifestAccept =
        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, " +
        "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<DestinationClient> _logger;

    public DestinationClient(TimeProvider time, ILogger<DestinationClient> logger)
    {
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        })
        {
            // A layer upload takes as long as it takes; the caller's token (the delivery timeout) bounds each delivery.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ServerlessRegistry-replication", "1.0"));
    }

    /// <summary>
    /// Whether the destination repository holds the blob: a 2xx, or a 3xx (a registry that serves blobs from storage,
    /// such as distribution with a storage redirect or ACR, answers a HEAD with a redirect to it; it is not followed).
    /// False on 404.
    /// </summary>
    public async Task<bool> HasBlobAsync(ReplicationRule rule, string repository, string digest, CancellationToken ct)
    {
        using var response = await SendAsync(rule, repository, HttpMethod.Head, Url(rule, repository, "blobs/" + digest), null, null, ct);
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound => false,
            >= HttpStatusCode.MultipleChoices and < HttpStatusCode.BadRequest => true,
            _ => Ok(response, "HEAD blob " + digest),
        };
    }

    /// <summary>
    /// Uploads one blob in a single PUT whose body streams from <paramref name="open"/> (called again if the destination
    /// asks to authenticate midway). The destination verifies the digest; its Docker-Content-Digest must name the same one.
    /// </summary>
    public async Task PushBlobAsync(ReplicationRule rule, string repository, string digest, long size, Func<Stream> open, CancellationToken ct)
    {
        Uri location;
        using (var start = await SendAsync(rule, repository, HttpMethod.Post, Url(rule, repository, "blobs/uploads/"), null, null, ct))
        {
            Ok(start, "POST upload");
            var given = start.Headers.Location ?? throw Refused(start, "POST upload", "no Location");
            location = given.IsAbsoluteUri ? given : new Uri(rule.Destination, given);
        }

        // The Location may carry the destination's own state (distribution's _state=…); the digest is added to it.
        var put = new UriBuilder(location) { Query = (location.Query.TrimStart('?') is { Length: > 0 } q ? q + "&" : "") + "digest=" + Uri.EscapeDataString(digest) }.Uri;
        using var done = await SendAsync(rule, repository, HttpMethod.Put, put, () =>
        {
            var content = new StreamContent(open(), 1024 * 1024);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Headers.ContentLength = size;
            return content;
        }, null, ct);
        Ok(done, "PUT blob " + digest);
        CheckDigest(done, digest, "PUT blob");
    }

    /// <summary>The digest the destination answers for a manifest HEAD (tag or digest), or null when it has none (404).</summary>
    public async Task<string?> HeadManifestAsync(ReplicationRule rule, string repository, string reference, CancellationToken ct)
    {
        using var response = await SendAsync(rule, repository, HttpMethod.Head, Url(rule, repository, "manifests/" + reference), null, ManifestAccept, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Ok(response, "HEAD manifest " + reference);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault()
            : throw Refused(response, "HEAD manifest " + reference, "no Docker-Content-Digest");
    }

    /// <summary>PUTs manifest bytes verbatim under <paramref name="reference"/>; the destination must answer <paramref name="digest"/>.</summary>
    public async Task PutManifestAsync(ReplicationRule rule, string repository, string reference, byte[] bytes, string mediaType, string digest, CancellationToken ct)
    {
        using var response = await SendAsync(rule, repository, HttpMethod.Put, Url(rule, repository, "manifests/" + reference), () =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return content;
        }, null, ct);
        Ok(response, "PUT manifest " + reference);
        CheckDigest(response, digest, "PUT manifest " + reference);
    }

    public void Dispose() => _http.Dispose();

    private static Uri Url(ReplicationRule rule, string repository, string rest) => new(rule.Destination, $"/v2/{repository}/{rest}");

    /// <summary>Any 2xx is success: the spec's 201 and 202, and the 200 some registries answer instead.</summary>
    private static bool Ok(HttpResponseMessage response, string what) =>
        response.IsSuccessStatusCode ? true : throw Refused(response, what, null);

    /// <summary>A Docker-Content-Digest other than the one sent means the destination stored something else: never accepted.</summary>
    private static void CheckDigest(HttpResponseMessage response, string expected, string what)
    {
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } answered && answered != expected)
        {
            throw new DeliveryException($"{response.RequestMessage?.RequestUri?.Authority} answered digest {answered} to {what}, expected {expected}");
        }
    }

    private static DeliveryException Refused(HttpResponseMessage response, string what, string? detail)
    {
        var url = response.RequestMessage?.RequestUri;
        return new DeliveryException(
            $"{url?.Authority} answered {(int)response.StatusCode} {response.ReasonPhrase} to {what} ({url?.AbsolutePath}){(detail is null ? "" : ": " + detail)}");
    }
}
