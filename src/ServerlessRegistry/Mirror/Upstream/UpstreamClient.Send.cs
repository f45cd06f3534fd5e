using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using ServerlessRegistry.Remote;

namespace ServerlessRegistry.Mirror.Upstream;

/// <summary>Sending: the rule's time limit, anonymous-then-authenticated requests, and turning failures into <see cref="UpstreamException"/>.</summary>
internal sealed partial class UpstreamClient
{
    /// <summary>
    /// Runs <paramref name="call"/> within the rule's Timeout and maps what can go wrong on the wire: no connection →
    /// Unreachable, the time limit → Timeout. The caller's own cancellation passes through unchanged.
    /// </summary>
    /// <param name="warn">False where the failure is the answer (the rules check), not something to warn about.</param>
    private async Task<T> RunAsync<T>(CacheRule rule, string method, Uri url, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken,
        bool warn = true)
    {
        using var limit = new CancellationTokenSource(rule.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        var start = time.GetTimestamp();
        try
        {
            return await call(linked.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw Logged(new UpstreamException(UpstreamFailure.Timeout,
                $"upstream {url.Authority} did not answer within {rule.Timeout.TotalSeconds:0.###} s", inner: e));
        }
        catch (Exception e) when (e is HttpRequestException { StatusCode: null } or SocketException or IOException)
        {
            throw Logged(new UpstreamException(UpstreamFailure.Unreachable, $"upstream {url.Authority} is unreachable ({RegistryWire.Reason(e)})", inner: e));
        }
        catch (UpstreamException e)
        {
            throw Logged(e);
        }

        UpstreamException Logged(UpstreamException e)
        {
            // Refused credentials and 429s were logged where they were found, with what is known only there.
            if (!warn || e.Failure is UpstreamFailure.Unauthorized or UpstreamFailure.RateLimited)
            {
                return e;
            }

            UpstreamLog.Failed(logger, method, url.Authority, url.AbsolutePath, e.Failure, (long)time.GetElapsedTime(start).TotalMilliseconds);
            return e;
        }
    }

    /// <summary>
    /// Sends to the rule's registry: with the cached token or Basic header for the scope if there is one, else anonymously;
    /// on a 401 meets the challenge and retries once. A 401 or 403 after authenticating is Unauthorized. Other statuses
    /// are returned for the caller to map.
    /// </summary>
    private async Task<HttpResponseMessage> SendAuthorizedAsync(CacheRule rule, string? scope, HttpMethod method, Uri url, string? accept,
        HttpCompletionOption completion, CancellationToken token)
    {
        var header = CachedHeader(AuthKey.For(rule, scope));
        for (var fresh = false; ; fresh = true)
        {
            var response = await SendOnceAsync(Request(method, url, accept, header), completion, token);
            var status = response.StatusCode;
            if (status == HttpStatusCode.Unauthorized && !fresh)
            {
                // Anonymous, or a cached token the upstream no longer takes: meet the challenge afresh.
                var challenge = UpstreamChallenge.From(response.Headers);
                response.Dispose();
                header = await AuthenticateAsync(rule, challenge, scope, header, token);
                continue;
            }

            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                response.Dispose();
                UpstreamLog.Refused(logger, url.Authority, method.Method, url.AbsolutePath, (int)status);
                throw new UpstreamException(UpstreamFailure.Unauthorized,
                    $"upstream {url.Authority} refused {(rule.HasCredentials ? "the rule's credentials" : "anonymous access")} for {url.AbsolutePath} ({(int)status})",
                    status: (int)status);
            }

            return response;
        }
    }

    /// <summary>One request on the shared client, counted and logged (host and path only).</summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken token)
    {
        using (request)
        {
            Interlocked.Increment(ref _requestsSent);
            var start = time.GetTimestamp();
            var response = await _http.SendAsync(request, completion, token);
            UpstreamLog.Sent(logger, request.Method.Method, request.RequestUri!.Authority, request.RequestUri.AbsolutePath, (int)response.StatusCode,
                (long)time.GetElapsedTime(start).TotalMilliseconds);
            return response;
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri url, string? accept, AuthenticationHeaderValue? authorization)
    {
        var request = new HttpRequestMessage(method, url);
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        request.Headers.Authorization = authorization;
        return request;
    }

    /// <summary>429 → RateLimited with its Retry-After; any other non-2xx → Failed with its status.</summary>
    private void ThrowUnlessSuccess(HttpResponseMessage response, string host)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var retryAfter = RetryAfter(response.Headers.RetryAfter);
            UpstreamLog.RateLimited(logger, host, retryAfter);
            throw new UpstreamException(UpstreamFailure.RateLimited, $"upstream {host} is rate-limiting (429)", retryAfter, status);
        }

        throw new UpstreamException(UpstreamFailure.Failed, $"upstream {host} answered {status} {response.ReasonPhrase}", status: status);
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    /// <summary>The Location of a redirect, made absolute against the URL that was asked.</summary>
    private static Uri Location(HttpResponseMessage response, Uri requested, string host) =>
        response.Headers.Location is { } location
            ? location.IsAbsoluteUri ? location : new Uri(requested, location)
            : throw new UpstreamException(UpstreamFailure.Failed, $"upstream {host} redirected without a Location", status: (int)response.StatusCode);
}
