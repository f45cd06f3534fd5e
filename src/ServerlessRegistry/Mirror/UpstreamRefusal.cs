using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// What a client is told when the cache needed its upstream and the upstream failed: 429 with the upstream's
/// Retry-After when it is rate limiting us, 503 otherwise. Upstream credentials and tokens never appear in it.
/// </summary>
internal static class UpstreamRefusal
{
    /// <summary>What a client is told to wait when the upstream said 429 without a Retry-After: long enough not to add to the limit.</summary>
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(60);

    public static RegistryException For(UpstreamException e, UpstreamTarget target)
    {
        var detail = new (string, string?)[] { ("upstream", target.ToString()) };
        return e.Failure switch
        {
            UpstreamFailure.RateLimited => new RegistryException(ErrorKind.TooManyRequests,
                $"the upstream {target.Rule.Registry.Authority} is rate limiting this cache and the content is not cached yet", detail) { RetryAfter = e.RetryAfter ?? DefaultRetryAfter },
            UpstreamFailure.Unauthorized => new RegistryException(ErrorKind.Unavailable,
                $"the upstream {target.Rule.Registry.Authority} refused this cache's credentials; the registry's operator must fix the cache rule", detail),
            UpstreamFailure.Timeout => new RegistryException(ErrorKind.Unavailable,
                $"the upstream {target.Rule.Registry.Authority} did not answer in time and the content is not cached", detail),
            _ => new RegistryException(ErrorKind.Unavailable,
                $"the upstream {target.Rule.Registry.Authority} is unavailable and the content is not cached", detail),
        };
    }
}
