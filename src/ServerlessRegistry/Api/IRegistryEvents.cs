using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>What happened, in the words of distribution's notifications (the wire names are the lower-case ones).</summary>
internal enum ChangeAction
{
    /// <summary>A manifest was stored, under a tag or by digest.</summary>
    Push,

    /// <summary>A manifest was read with a GET (not a HEAD).</summary>
    Pull,

    /// <summary>A blob was linked into a repository from another one, without an upload.</summary>
    Mount,

    /// <summary>A manifest (by digest) or a tag was deleted.</summary>
    Delete,

    /// <summary>The pull-through cache stored a manifest it fetched from its upstream.</summary>
    Fill,
}

/// <summary>
/// One change, as the request that made it saw it. <see cref="Tag"/> is set for a push under a tag (one change per tag)
/// and for a tag's deletion (whose <see cref="Digest"/> is null: the delete does not read it); <see cref="FromRepository"/> for a mount. <see cref="MediaType"/> and <see cref="Size"/> are
/// null when the request did not learn them (a delete by digest).
/// </summary>
internal readonly record struct RegistryChange(
    ChangeAction Action, string Repository, string? Digest, string? MediaType = null, long? Size = null, string? Tag = null, string? FromRepository = null)
{
    /// <summary>The deletion of a tag (digest unknown) or of a manifest by digest.</summary>
    public static RegistryChange Deleted(string repository, ManifestReference reference) => reference.IsDigest
        ? new(ChangeAction.Delete, repository, reference.Value)
        : new(ChangeAction.Delete, repository, null, Tag: reference.Value);
}

/// <summary>
/// Who made the changes and through which request (its host and scheme as the client used them, after forwarded headers).
/// Every field may be null (a command run by an operator has no request).
/// </summary>
internal sealed record ChangeOrigin(string? Actor, string? Host, string? Method, string? UserAgent, string? Address, string? RequestId, string? Scheme = null)
{
    /// <summary>Changes made by the registry itself (retention, the cache), named by <paramref name="actor"/>.</summary>
    public static ChangeOrigin Registry(string actor) => new(actor, null, null, null, null, null);

    /// <summary>The origin of an API request: its caller (the access token or the signed-in subject), host, method, user agent and address.</summary>
    public static ChangeOrigin Of(RegistryRequest request) => Of(request.Http, request.Authorizer.CallerOf(request.Http));

    /// <summary>The origin of any request (a web page's form too), made by <paramref name="actor"/> (null: anonymous).</summary>
    public static ChangeOrigin Of(HttpContext http, string? actor) => new(
        actor ?? "anonymous",
        http.Request.Host.HasValue ? http.Request.Host.Value : null,
        http.Request.Method,
        http.Request.Headers.UserAgent.Count > 0 ? http.Request.Headers.UserAgent.ToString() : null,
        http.Connection.RemoteIpAddress?.ToString(),
        http.TraceIdentifier,
        http.Request.Scheme);
}

/// <summary>
/// The seam through which the events feature hears of changes. The API calls it after a change is durable, in the same
/// request, and answers only once it completes; the core and the API decide nothing about delivery.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. <see cref="PublishAsync"/> puts the events in a durable queue (nothing is sent to a
/// receiver on the request path) and never throws: a failure to queue is logged with the events it lost, since the
/// change itself is already stored and failing the request would not undo it. It finishes even when the request is
/// aborted. Publishing the same change twice (a client retries) yields two events with different ids.
/// <see cref="None"/> (the default) publishes nothing and costs nothing.
/// </remarks>
internal interface IRegistryEvents
{
    static IRegistryEvents None { get; } = new Nothing();

    /// <summary>Whether any destination could want <paramref name="action"/>; no I/O. Lets a hot path (pulls) skip building changes.</summary>
    bool Wants(ChangeAction action);

    /// <summary>Queues the events for <paramref name="changes"/> that some destination accepts; does nothing when none does.</summary>
    Task PublishAsync(IReadOnlyList<RegistryChange> changes, ChangeOrigin origin, CancellationToken cancellationToken);

    private sealed class Nothing : IRegistryEvents
    {
        public bool Wants(ChangeAction action) => false;
        public Task PublishAsync(IReadOnlyList<RegistryChange> changes, ChangeOrigin origin, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
