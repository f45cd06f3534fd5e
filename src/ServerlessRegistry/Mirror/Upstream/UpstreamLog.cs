namespace ServerlessRegistry.Mirror.Upstream;

/// <summary>
/// The upstream client's log lines (event ids 500-519). Hosts and paths only: never a query string (redirect URLs carry
/// signatures), an Authorization header, a password or a token.
/// </summary>
internal static partial class UpstreamLog
{
    [LoggerMessage(500, LogLevel.Debug, "Upstream {Method} {Host}{Path} -> {Status} in {Milliseconds} ms")]
    public static partial void Sent(ILogger logger, string method, string host, string path, int status, long milliseconds);

    [LoggerMessage(501, LogLevel.Warning, "Upstream {Method} {Host}{Path} failed: {Failure} after {Milliseconds} ms")]
    public static partial void Failed(ILogger logger, string method, string host, string path, UpstreamFailure failure, long milliseconds);

    [LoggerMessage(502, LogLevel.Debug, "Upstream token for {Host} scope '{Scope}' from {Realm} (valid {Lifetime})")]
    public static partial void TokenIssued(ILogger logger, string host, string scope, string realm, TimeSpan lifetime);

    [LoggerMessage(503, LogLevel.Warning, "Upstream token realm {Realm} refused the request for {Host} scope '{Scope}' ({Status})")]
    public static partial void TokenRefused(ILogger logger, string realm, string host, string scope, int status);

    [LoggerMessage(504, LogLevel.Warning, "Upstream {Host} answered 401 with no challenge this client can meet ({Scheme})")]
    public static partial void UnsupportedChallenge(ILogger logger, string host, string scheme);

    [LoggerMessage(505, LogLevel.Warning, "Upstream {Host} refused {Method} {Path} after authenticating ({Status})")]
    public static partial void Refused(ILogger logger, string host, string method, string path, int status);

    [LoggerMessage(506, LogLevel.Warning, "Upstream {Host} rate-limits us (429), retry after {RetryAfter}")]
    public static partial void RateLimited(ILogger logger, string host, TimeSpan? retryAfter);

    [LoggerMessage(507, LogLevel.Warning, "Upstream {Host} listed more than {Pages} pages of tags for {Repository}; stopped there")]
    public static partial void TooManyTagPages(ILogger logger, string host, string repository, int pages);

    [LoggerMessage(508, LogLevel.Warning, "Upstream {Host} named a plain-http token realm {Realm}; the rule's credentials were not sent")]
    public static partial void PlainHttpRealm(ILogger logger, string host, string realm);
}
