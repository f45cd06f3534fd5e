namespace ServerlessRegistry.Core.Errors;

/// <summary>
/// Every way a registry operation can be refused. The HTTP layer maps each kind to a spec error code and a
/// status in one table; nothing else chooses a status.
/// </summary>
internal enum ErrorKind
{
    BlobUnknown,
    BlobUploadInvalid,
    BlobUploadUnknown,
    /// <summary>A chunk that does not start where the upload ends (spec: 416).</summary>
    RangeInvalid,
    DigestInvalid,
    ManifestBlobUnknown,
    ManifestInvalid,
    ManifestUnknown,
    /// <summary>A manifest larger than the registry accepts (spec: 413).</summary>
    ManifestTooLarge,
    NameInvalid,
    NameUnknown,
    SizeInvalid,
    TagInvalid,
    PaginationNumberInvalid,
    Unauthorized,
    Denied,
    Unsupported,
    TooManyRequests,
    /// <summary>No such endpoint.</summary>
    RouteUnknown,
    /// <summary>The endpoint exists but not for this method.</summary>
    MethodNotAllowed,
    /// <summary>Storage failed or is throttling; the client should retry.</summary>
    Unavailable,
    /// <summary>A request target (path and query) longer than the registry accepts (414).</summary>
    RequestTargetTooLong,
    /// <summary>Request headers larger than the registry accepts (431).</summary>
    HeadersTooLarge,
    /// <summary>A request body that arrived too slowly (408).</summary>
    RequestTimeout,
    /// <summary>An admin API request that is malformed or asks for something impossible (400).</summary>
    Invalid,
    /// <summary>An admin API resource that does not exist (404).</summary>
    NotFound,
    /// <summary>An admin API change that collides with what exists (409): a token name in use, a rule defined in settings.</summary>
    Conflict,
    /// <summary>A failure retrying cannot cure (storage refusing the request or the registry's credentials, a defect).</summary>
    Internal,
}

/// <summary>A refusal with a spec error code; <see cref="Detail"/> is optional context (e.g. the digest in question).</summary>
internal sealed class RegistryException(ErrorKind kind, string message, IReadOnlyList<(string Key, string? Value)>? detail = null) : Exception(message)
{
    public ErrorKind Kind { get; } = kind;
    public IReadOnlyList<(string Key, string? Value)> Detail { get; } = detail ?? [];

    /// <summary>For TOOMANYREQUESTS and UNAVAILABLE: when to try again, if known better than the default (an upstream's own Retry-After).</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>Throw helpers: keep the throw out of callers' hot paths.</summary>
internal static class Fail
{
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void With(ErrorKind kind, string message, params (string Key, string? Value)[] detail) =>
        throw new RegistryException(kind, message, detail);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static T With<T>(ErrorKind kind, string message, params (string Key, string? Value)[] detail) =>
        throw new RegistryException(kind, message, detail);
}
