using System.Net;
using ServerlessRegistry.Remote;

namespace ServerlessRegistry.Mirror.Upstream;

/// <summary>The check behind <c>mirror rules</c>: does the upstream answer /v2/, and does its auth take the rule's credentials.</summary>
internal sealed partial class UpstreamClient
{
    public async Task<UpstreamCheck> CheckAsync(CacheRule rule, CancellationToken cancellationToken)
    {
        var url = new Uri(rule.Registry, "/v2/");
        // A token for an exact rule's repository proves the credentials can pull it; a prefix rule has no one repository.
        var scope = rule.IsPrefix ? null : $"repository:{rule.Path}:pull";
        try
        {
            return await RunAsync(rule, "GET", url, async token =>
            {
                using (var anonymous = await SendOnceAsync(Request(HttpMethod.Get, url, null, null), HttpCompletionOption.ResponseContentRead, token))
                {
                    if (anonymous.IsSuccessStatusCode)
                    {
                        return new UpstreamCheck(true, true, "reachable, anonymous access");
                    }

                    if (anonymous.StatusCode != HttpStatusCode.Unauthorized)
                    {
                        ThrowUnlessSuccess(anonymous, url.Authority);
                    }

                    var challenge = UpstreamChallenge.From(anonymous.Headers);
                    var header = await AuthenticateAsync(rule, challenge, scope, null, token);
                    using var authenticated = await SendOnceAsync(Request(HttpMethod.Get, url, null, header), HttpCompletionOption.ResponseContentRead, token);
                    if (authenticated.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    {
                        return new UpstreamCheck(true, false, $"{Refused(rule)} ({(int)authenticated.StatusCode})");
                    }

                    ThrowUnlessSuccess(authenticated, url.Authority);
                    var how = challenge!.IsBearer ? "token" : "basic";
                    return new UpstreamCheck(true, true,
                        rule.HasCredentials ? $"reachable, credentials accepted ({how} auth)" : $"reachable, anonymous access ({how} auth)");
                }
            }, cancellationToken, warn: false);
        }
        catch (UpstreamException e)
        {
            return e.Failure switch
            {
                UpstreamFailure.Unreachable => new UpstreamCheck(false, false, $"unreachable ({RegistryWire.Reason(e.InnerException)})"),
                UpstreamFailure.Timeout => new UpstreamCheck(false, false, $"unreachable (no answer within {rule.Timeout.TotalSeconds:0.###} s)"),
                UpstreamFailure.Unauthorized => new UpstreamCheck(true, false, $"{Refused(rule)} ({(e.Status == 0 ? 401 : e.Status)})"),
                UpstreamFailure.RateLimited => new UpstreamCheck(true, false, "rate-limited (429)" + (e.RetryAfter is { } wait ? $", retry after {wait.TotalSeconds:0} s" : "")),
                _ => new UpstreamCheck(true, false, $"unexpected answer ({e.Status})"),
            };
        }
    }

    private static string Refused(CacheRule rule) => rule.HasCredentials ? "credentials refused" : "anonymous access refused";
}
