using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ServerlessRegistry.Remote;

namespace ServerlessRegistry.Mirror.Upstream;

/// <summary>
/// The upstream's auth: Docker token auth (a token from the challenge's realm for one scope) or Basic with the rule's
/// credentials. Tokens are cached per registry, scope and credentials until shortly before they expire, so a busy
/// mirror asks the realm about once a minute per repository, not once per request.
/// </summary>
internal sealed partial class UpstreamClient
{
    private const int MaxCachedAuth = 4096;
    private static readonly TimeSpan MaxTokenMargin = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<AuthKey, CachedAuth> _auth = new();
    private readonly ConcurrentDictionary<AuthKey, Lazy<Task<AuthenticationHeaderValue>>> _tokenRequests = new();

    /// <summary>
    /// What authorizes one scope on one registry. The credentials are part of the key so that two rules on one registry
    /// with different accounts never share a token; the key lives in memory only.
    /// </summary>
    private readonly record struct AuthKey(string Authority, string Scope, string? Username, string? Password)
    {
        public static AuthKey For(CacheRule rule, string? scope) => new(rule.Registry.Authority, scope ?? "", rule.Username, rule.Password);
    }

    private sealed record CachedAuth(AuthenticationHeaderValue Header, DateTimeOffset ValidUntil);

    private AuthenticationHeaderValue? CachedHeader(AuthKey key)
    {
        if (_auth.TryGetValue(key, out var cached) && cached.ValidUntil > time.GetUtcNow())
        {
            return cached.Header;
        }

        return null;
    }

    private void Remember(AuthKey key, AuthenticationHeaderValue header, TimeSpan lifetime)
    {
        var now = time.GetUtcNow();
        if (_auth.Count >= MaxCachedAuth)
        {
            foreach (var (k, v) in _auth)
            {
                if (v.ValidUntil <= now)
                {
                    _auth.TryRemove(k, out _);
                }
            }
        }

        _auth[key] = new CachedAuth(header, now + lifetime);
    }

    /// <summary>
    /// Meets a 401's challenge: a token from a Bearer realm (with the rule's credentials as Basic, when it has them), or
    /// the rule's credentials for a Basic challenge. Throws <see cref="UpstreamFailure.Unauthorized"/> when the realm
    /// refuses or no challenge can be met.
    /// </summary>
    private async Task<AuthenticationHeaderValue> AuthenticateAsync(CacheRule rule, UpstreamChallenge? challenge, string? scope,
        AuthenticationHeaderValue? refused, CancellationToken token)
    {
        var key = AuthKey.For(rule, scope);
        // A request sent before a concurrent token request finished: use that token rather than asking the realm again.
        if (CachedHeader(key) is { } cached && !cached.Equals(refused))
        {
            return cached;
        }

        var host = rule.Registry.Authority;
        if (challenge is { IsBasic: true } && rule.HasCredentials)
        {
            var basic = Basic(rule);
            // Basic credentials do not expire; keep them so later calls skip the anonymous round trip.
            Remember(key, basic, TimeSpan.FromHours(1));
            return basic;
        }

        if (challenge is not { IsBearer: true } || !Uri.TryCreate(challenge["realm"], UriKind.Absolute, out var realm) || realm.Scheme is not ("http" or "https"))
        {
            UpstreamLog.UnsupportedChallenge(logger, host, challenge?.Scheme ?? "none");
            throw new UpstreamException(UpstreamFailure.Unauthorized,
                $"upstream {host} requires authentication ({challenge?.Scheme ?? "no challenge"}) that {(rule.HasCredentials ? "the rule's credentials cannot meet" : "needs credentials in the rule")}", status: 401);
        }

        if (rule.HasCredentials && realm.Scheme == "http" && rule.Registry.Scheme == "https")
        {
            // A challenge could name a plain-http realm to read the password off the wire; an https upstream gets https only.
            UpstreamLog.PlainHttpRealm(logger, host, realm.Authority);
            throw new UpstreamException(UpstreamFailure.Unauthorized,
                $"upstream {host} named a plain-http token realm ({realm.Authority}); the rule's credentials are sent over https only", status: 401);
        }

        var query = new StringBuilder();
        if (challenge["service"] is { } service)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service));
        }

        if (scope is not null)
        {
            query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(scope));
        }

        var url = new UriBuilder(realm) { Query = realm.Query.TrimStart('?') is { Length: > 0 } q ? q + (query.Length > 0 ? "&" + query : "") : query.ToString() }.Uri;
        // Concurrent first pulls of one repository share one token request; each caller still waits within its own limit.
        var flight = _tokenRequests.GetOrAdd(key, k => new Lazy<Task<AuthenticationHeaderValue>>(() => RequestTokenAsync(rule, k, url, scope)));
        return await flight.Value.WaitAsync(token);
    }

    /// <summary>One token request, bounded by the rule's Timeout rather than by any one caller's cancellation.</summary>
    private async Task<AuthenticationHeaderValue> RequestTokenAsync(CacheRule rule, AuthKey key, Uri url, string? scope)
    {
        var host = rule.Registry.Authority;
        var realm = url.GetLeftPart(UriPartial.Path);
        try
        {
            using var limit = new CancellationTokenSource(rule.Timeout, time);
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (rule.HasCredentials)
            {
                request.Headers.Authorization = Basic(rule);
            }

            using var response = await SendOnceAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                UpstreamLog.TokenRefused(logger, realm, host, scope ?? "", (int)response.StatusCode);
                throw new UpstreamException(UpstreamFailure.Unauthorized,
                    $"the token service of upstream {host} refused {(rule.HasCredentials ? "the rule's credentials" : "anonymous access")} ({(int)response.StatusCode})", status: (int)response.StatusCode);
            }

            ThrowUnlessSuccess(response, host);
            var (bearer, lifetime) = RegistryWire.ReadToken(await response.Content.ReadAsByteArrayAsync(limit.Token))
                ?? throw new UpstreamException(UpstreamFailure.Failed, $"the token service of upstream {host} answered without a token", status: 200);
            var header = new AuthenticationHeaderValue("Bearer", bearer);
            var margin = TimeSpan.FromTicks(Math.Min(MaxTokenMargin.Ticks, lifetime.Ticks / 4));
            Remember(key, header, lifetime - margin);
            UpstreamLog.TokenIssued(logger, host, scope ?? "", realm, lifetime);
            return header;
        }
        finally
        {
            _tokenRequests.TryRemove(key, out _);
        }
    }

    private static AuthenticationHeaderValue Basic(CacheRule rule) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(rule.Username + ":" + rule.Password)));
}
