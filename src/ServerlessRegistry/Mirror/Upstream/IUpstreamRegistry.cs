namespace ServerlessRegistry.Mirror.Upstream;

/// <summary>
/// The distribution API of upstream registries, as the mirror needs it. One implementation (UpstreamClient)
/// speaks HTTP with Docker token auth or basic auth from the rule's credentials.
/// </summary>
/// <remarks>
/// Thread-safe. Every call is bounded by the rule's Timeout (a blob GET only until its headers arrive). Absent content is
/// <c>null</c>; every other failure is an <see cref="UpstreamException"/> saying what went wrong (down, slow, 429 with
/// its Retry-After, credentials refused). Credentials go to the upstream and its token realm only: never to a host a
/// blob redirect names, never to the registry's own clients.
/// </remarks>
internal interface IUpstreamRegistry
{
    /// <summary>HEAD of a manifest by tag or digest (does not count against Docker Hub's pull limit). Null on 404.</summary>
    Task<UpstreamDescriptor?> HeadManifestAsync(UpstreamTarget target, string reference, CancellationToken cancellationToken);

    /// <summary>GET of a manifest by tag or digest, bytes verbatim, accepting every OCI and Docker v2 manifest type. Null on 404.</summary>
    Task<UpstreamManifest?> GetManifestAsync(UpstreamTarget target, string reference, CancellationToken cancellationToken);

    /// <summary>HEAD of a blob. Null on 404.</summary>
    Task<UpstreamDescriptor?> HeadBlobAsync(UpstreamTarget target, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// GET of a blob without following a redirect: either the absolute URL the upstream redirects to, or the open
    /// response whose body is the content (the caller disposes it). Null on 404.
    /// </summary>
    Task<UpstreamBlob?> GetBlobAsync(UpstreamTarget target, string digest, CancellationToken cancellationToken);

    /// <summary>
    /// GET of a URL an upstream redirected a blob to (a CDN or storage URL that carries its own authorization), from
    /// <paramref name="offset"/> to the end. Sends no credentials. The caller disposes the response (200, or 206 from an
    /// offset); any other answer is an <see cref="UpstreamException"/>. Its headers must arrive within 30 s (there is no rule to
    /// take a Timeout from); the body has no time limit.
    /// </summary>
    Task<HttpResponseMessage> GetRedirectedAsync(Uri location, long offset, CancellationToken cancellationToken);

    /// <summary>Every tag of the upstream repository (following the Link header's pages).</summary>
    Task<IReadOnlyList<string>> ListTagsAsync(UpstreamTarget target, CancellationToken cancellationToken);

    /// <summary>Whether the rule's upstream answers /v2/ and accepts the rule's credentials (or anonymous access).</summary>
    Task<UpstreamCheck> CheckAsync(CacheRule rule, CancellationToken cancellationToken);
}

/// <summary>What the upstream says a manifest or blob is: from Docker-Content-Digest, Content-Type and Content-Length.</summary>
internal sealed record UpstreamDescriptor(string? Digest, string? MediaType, long? Size);

/// <summary>A manifest fetched from the upstream; <see cref="Digest"/> is what it claimed (Docker-Content-Digest), unverified.</summary>
internal sealed record UpstreamManifest(byte[] Bytes, string MediaType, string? Digest);

/// <summary>The start of a blob GET: a redirect elsewhere, or the response carrying the bytes.</summary>
internal sealed class UpstreamBlob(Uri? redirect, HttpResponseMessage? response) : IDisposable
{
    /// <summary>The absolute location the upstream redirected to (Docker Hub, ghcr.io, quay.io and mcr do).</summary>
    public Uri? Redirect { get; } = redirect;

    /// <summary>The 200 response whose body is the blob, headers read, body not yet.</summary>
    public HttpResponseMessage? Response { get; } = response;

    public void Dispose() => Response?.Dispose();
}

/// <summary>The result of checking one rule's upstream, for the CLI.</summary>
/// <param name="Reachable">The upstream answered /v2/.</param>
/// <param name="Authenticated">Its auth accepted our credentials (or anonymous access where none are configured).</param>
/// <param name="Detail">One line: what was found, or what failed.</param>
internal sealed record UpstreamCheck(bool Reachable, bool Authenticated, string Detail);

/// <summary>Why an upstream call failed.</summary>
internal enum UpstreamFailure
{
    /// <summary>Connection refused, DNS, reset, TLS: the upstream is down or unreachable.</summary>
    Unreachable,
    /// <summary>No answer within the rule's Timeout.</summary>
    Timeout,
    /// <summary>429: see <see cref="UpstreamException.RetryAfter"/>.</summary>
    RateLimited,
    /// <summary>401/403 after authenticating: the rule's credentials (or anonymous access) were refused.</summary>
    Unauthorized,
    /// <summary>Any other unexpected status (5xx included).</summary>
    Failed,
}

/// <summary>An upstream call that failed; the message names the upstream and never carries a credential.</summary>
internal sealed class UpstreamException(UpstreamFailure failure, string message, TimeSpan? retryAfter = null, int status = 0, Exception? inner = null)
    : Exception(message, inner)
{
    public UpstreamFailure Failure { get; } = failure;

    /// <summary>The upstream's Retry-After on a 429, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>The HTTP status, or 0 when there was no answer.</summary>
    public int Status { get; } = status;
}
