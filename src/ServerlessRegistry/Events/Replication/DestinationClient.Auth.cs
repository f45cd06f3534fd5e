using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using ServerlessRegistry.Remote;

namespace ServerlessRegistry.Events.Replication;

/// <summary>
/// Sending with the destination's auth: anonymous first; on a 401 the rule's credentials as Basic, or a Docker token
/// from the challenge's realm for <c>repository:{name}:pull,push</c>. Tokens are cached per rule and scope until shortly
/// before they expire, so a delivery asks the realm once, not per request.
/// </summary>
internal sealed partial class DestinationClient
{
    private static readonly TimeSpan MaxTokenMargin = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<(string Rule, string Scope), (AuthenticationHeaderValue Header, DateTimeOffset ValidUntil)> _auth = new();

    /// <summary>
    /// Sends with the cached header for the rule and repository, if any; a 401 is met once (the body is built again by
    /// <paramref name="content"/>). A 401 or 403 after that is a refusal. Unreachable destinations become <see cref="DeliveryException"/>;
    /// the caller's cancellation passes through.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(ReplicationRule rule, string repository, HttpMethod method, Uri url, Func<HttpContent>? content,
        string? accept, CancellationToken ct)
    {
        var key = (rule.Name, $"repository:{repository}:pull,push");
        // An upload Location on another host (a storage front end) gets no credentials: they are the destination's only.
        var sameHost = url.Scheme == rule.Destination.Scheme && url.Authority == rule.Destination.Authority;
        var header = sameHost && _auth.TryGetValue(key, out var cached) && cached.ValidUntil > _time.GetUtcNow() ? cached.Header : null;
        for (var fresh = !sameHost; ; fresh = true)
        {
            var response = await SendOnceAsync(method, url, content?.Invoke(), accept, header, ct);
            if (response.StatusCode == HttpStatusCode.Unauthorized && !fresh)
            {
                var challenge = DestinationChallenge.From(response.Headers);
                response.Dispose();
                header = await AuthenticateAsync(rule, challenge, key, ct);
                continue;
            }

            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                using (response)
                {
                    ReplicationLog.Refused(_logger, rule.Name, url.Authority, method.Method, url.AbsolutePath, (int)response.StatusCode);
                    throw new DeliveryException($"{url.Authority} refused {(rule.HasCredentials ? "the rule's credentials" : "anonymous access")} " +
                        $"for {method.Method} {url.AbsolutePath} ({(int)response.StatusCode})");
                }
            }

            return response;
        }
    }

    private async Task<AuthenticationHeaderValue> AuthenticateAsync(ReplicationRule rule, DestinationChallenge? challenge, (string Rule, string Scope) key,
        CancellationToken ct)
    {
        var host = rule.Destination.Authority;
        if (challenge is { IsBasic: true } && rule.HasCredentials)
        {
            return Remember(key, Basic(rule), TimeSpan.FromHours(1));
        }

        if (challenge is not { IsBearer: true } || !Uri.TryCreate(challenge["realm"], UriKind.Absolute, out var realm) || realm.Scheme is not ("http" or "https"))
        {
            throw new DeliveryException($"{host} requires authentication ({challenge?.Scheme ?? "no challenge"}) that " +
                (rule.HasCredentials ? "the rule's credentials cannot meet" : "needs Username and Password in the rule"));
        }

        if (rule.HasCredentials && realm.Scheme == "http" && !Remote.RemoteUrls.IsLoopback(realm))
        {
            // A challenge naming a plain-http realm elsewhere would read the password off the wire.
            throw new DeliveryException($"{host} named a plain-http token realm ({realm.Authority}); the rule's credentials are sent over https only");
        }

        var query = new StringBuilder(realm.Query.TrimStart('?'));
        if (challenge["service"] is { } service)
        {
            query.Append(query.Length > 0 ? "&" : "").Append("service=").Append(Uri.EscapeDataString(service));
        }

        query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(key.Scope));
        var url = new UriBuilder(realm) { Query = query.ToString() }.Uri;
        using var response = await SendOnceAsync(HttpMethod.Get, url, null, "application/json", rule.HasCredentials ? Basic(rule) : null, ct);
        if (!response.IsSuccessStatusCode)
        {
            ReplicationLog.TokenRefused(_logger, rule.Name, url.GetLeftPart(UriPartial.Path), (int)response.StatusCode);
            throw new DeliveryException($"the token service of {host} ({realm.Authority}) refused " +
                $"{(rule.HasCredentials ? "the rule's credentials" : "anonymous access")} ({(int)response.StatusCode})");
        }

        var (token, lifetime) = RegistryWire.ReadToken(await response.Content.ReadAsByteArrayAsync(ct))
            ?? throw new DeliveryException($"the token service of {host} answered without a token");
        var margin = TimeSpan.FromTicks(Math.Min(MaxTokenMargin.Ticks, lifetime.Ticks / 4));
        return Remember(key, new AuthenticationHeaderValue("Bearer", token), lifetime - margin);
    }

    private AuthenticationHeaderValue Remember((string Rule, string Scope) key, AuthenticationHeaderValue header, TimeSpan lifetime)
    {
        _auth[key] = (header, _time.GetUtcNow() + lifetime);
        return header;
    }

    /// <summary>One request; a failure to connect or a broken connection is a <see cref="DeliveryException"/> naming the host.</summary>
    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, Uri url, HttpContent? content, string? accept,
        AuthenticationHeaderValue? authorization, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        request.Headers.Authorization = authorization;
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException && !ct.IsCancellationRequested)
        {
            throw new DeliveryException($"{url.Authority} is unreachable ({RegistryWire.Reason(e)})", e);
        }
    }

    private static AuthenticationHeaderValue Basic(ReplicationRule rule) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(rule.Username + ":" + rule.Password)));
}
