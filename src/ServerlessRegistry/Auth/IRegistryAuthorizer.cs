namespace ServerlessRegistry.Auth;

/// <summary>What an endpoint needs the caller to hold, as the route table states it.</summary>
internal enum Access
{
    /// <summary>Any authenticated caller (GET /v2/, which docker login checks).</summary>
    Authenticated,
    Pull,
    Push,
    Delete,
    /// <summary>The registry-wide catalog (scope registry:catalog:*); entries are filtered by pull access.</summary>
    Catalog,
    /// <summary>The admin API (scope registry:admin:*): registry-wide, for <see cref="AdminGrant"/> holders only.</summary>
    Admin,
}

/// <summary>
/// Decides what the caller of a request may do. Implementations are singletons, thread-safe, and make no storage
/// call for a request they can decide from its token alone.
/// </summary>
internal interface IRegistryAuthorizer
{
    /// <summary>
    /// Returns when the caller holds <paramref name="access"/> on <paramref name="repository"/> (empty for
    /// registry-wide access). Otherwise throws a RegistryException: UNAUTHORIZED (with a challenge header set on the
    /// response) when the caller is not authenticated or lacks a token for this scope, DENIED when it never can.
    /// </summary>
    ValueTask AuthorizeAsync(HttpContext context, string repository, Access access);

    /// <summary>Whether the caller holds <paramref name="access"/> on <paramref name="repository"/>; never throws for a refusal.</summary>
    ValueTask<bool> CanAsync(HttpContext context, string repository, Access access);

    /// <summary>
    /// Whether access is actually checked. When it is, knowing a digest proves nothing, so a mount needs a readable
    /// <c>from</c> that links the blob (no registry-wide lookup).
    /// </summary>
    bool Enforced { get; }

    /// <summary>The authenticated caller's stable subject (after AuthorizeAsync), or null (auth off, anonymous).</summary>
    string? CallerOf(HttpContext context);
}

/// <summary>Authorization when auth is off (loopback development): every caller may do everything.</summary>
internal sealed class OpenAuthorizer : IRegistryAuthorizer
{
    public ValueTask AuthorizeAsync(HttpContext context, string repository, Access access) => ValueTask.CompletedTask;

    public ValueTask<bool> CanAsync(HttpContext context, string repository, Access access) => ValueTask.FromResult(true);

    public bool Enforced => false;

    public string? CallerOf(HttpContext context) => null;
}
