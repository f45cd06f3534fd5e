using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ServerlessRegistry.Remote;

namespace ServerlessRegistry.Mirror.Upstream;

/// <summary>
/// <see cref="IUpstreamRegistry"/> over HTTP: one pooled client for the process, anonymous first, Docker token or Basic auth
/// when the upstream challenges, and every failure mapped to an <see cref="UpstreamException"/>.
/// </summary>
/// <remarks>
/// Thread-safe; one instance per process (a singleton). The client follows no redirect by itself, so credentials never
/// travel with one: a blob redirect is handed to the caller, a manifest redirect is followed once here, with the
/// credentials only when it stays on the upstream's host.
/// </remarks>
internal sealed partial class UpstreamClient : IUpstreamRegistry, IDisposable
{
    /// <summary>Every manifest type the mirror stores, each listed: some registries honour only exact matches.</summary>
    public const string ManifestAccept =
        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, " +
        "application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json";

    /// <summary>Larger manifests are refused: distribution limits them to 4 MiB, and the mirror holds them in memory.</summary>
    public const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>Pages of 1000 tags followed at most; Docker Hub's largest repositories stay well below.</summary>
    public const int MaxTagPages = 100;

    /// <summary>How long a redirected blob URL may take to send its headers (there is no rule to take a Timeout from).</summary>
    public static readonly TimeSpan RedirectHeaderTimeout = TimeSpan.FromSeconds(30);

    private readonly HttpClient _http;
    private readonly ILogger<UpstreamClient> logger;
    private readonly TimeProvider time;
    private long _requestsSent;

    public UpstreamClient(ILogger<UpstreamClient> logger, TimeProvider time)
    {
        this.logger = logger;
        this.time = time;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            // Upstreams sit behind load balancers and CDNs whose addresses change: reconnect now and then.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        })
        {
            // The rule's Timeout bounds each call (RunAsync); a blob body has no overall limit.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ServerlessRegistry-mirror", "1.0"));
    }

    /// <summary>Requests sent to upstream registries, token realms and redirect hosts since start (for benchmarks and tests).</summary>
    public long RequestsSent => Interlocked.Read(ref _requestsSent);

    public Task<UpstreamDescriptor?> HeadManifestAsync(UpstreamTarget target, string reference, CancellationToken cancellationToken) =>
        FetchManifestAsync(target, reference, HttpMethod.Head, async (response, _) => UpstreamResponses.Describe(response), cancellationToken);

    public Task<UpstreamManifest?> GetManifestAsync(UpstreamTarget target, string reference, CancellationToken cancellationToken) =>
        FetchManifestAsync(target, reference, HttpMethod.Get, async (response, token) =>
        {
            var bytes = await UpstreamResponses.ReadBoundedAsync(response, MaxManifestBytes, target, token);
            var mediaType = response.Content.Headers.ContentType?.MediaType is { Length: > 0 } type && type != "application/octet-stream"
                ? type : UpstreamResponses.MediaTypeInside(bytes);
            return new UpstreamManifest(bytes, mediaType, UpstreamResponses.Describe(response).Digest);
        }, cancellationToken);

    public async Task<UpstreamDescriptor?> HeadBlobAsync(UpstreamTarget target, string digest, CancellationToken cancellationToken)
    {
        var url = Url(target, "blobs/" + digest);
        return await RunAsync(target.Rule, "HEAD", url, async token =>
        {
            using var response = await SendAuthorizedAsync(target.Rule, Scope(target), HttpMethod.Head, url, null, HttpCompletionOption.ResponseHeadersRead, token);
            if (IsRedirect(response.StatusCode))
            {
                // The content lives elsewhere; the digest is what was asked, the size is unknown without following.
                return new UpstreamDescriptor(digest, null, null);
            }

            return response.StatusCode == HttpStatusCode.NotFound ? null : Success(response, target, UpstreamResponses.Describe);
        }, cancellationToken);
    }

    public async Task<UpstreamBlob?> GetBlobAsync(UpstreamTarget target, string digest, CancellationToken cancellationToken)
    {
        var url = Url(target, "blobs/" + digest);
        // Only the wait for the headers is bounded: the caller reads the body for as long as it takes.
        return await RunAsync(target.Rule, "GET", url, async token =>
        {
            var response = await SendAuthorizedAsync(target.Rule, Scope(target), HttpMethod.Get, url, null, HttpCompletionOption.ResponseHeadersRead, token);
            try
            {
                if (IsRedirect(response.StatusCode))
                {
                    using (response)
                    {
                        return new UpstreamBlob(Location(response, url, url.Authority), null);
                    }
                }

                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    response.Dispose();
                    return null;
                }

                ThrowUnlessSuccess(response, url.Authority);
                return new UpstreamBlob(null, response);
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, cancellationToken);
    }

    public async Task<HttpResponseMessage> GetRedirectedAsync(Uri location, long offset, CancellationToken cancellationToken)
    {
        using var limit = new CancellationTokenSource(RedirectHeaderTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        // Never an Authorization header: the URL carries its own signature, and the host is not the upstream.
        var request = Request(HttpMethod.Get, location, null, null);
        if (offset > 0)
        {
            request.Headers.Range = new RangeHeaderValue(offset, null);
        }

        HttpResponseMessage response;
        try
        {
            response = await SendOnceAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new UpstreamException(UpstreamFailure.Timeout, $"{location.Authority} did not answer within {RedirectHeaderTimeout.TotalSeconds:0} s", inner: e);
        }
        catch (Exception e) when (e is HttpRequestException { StatusCode: null } or System.Net.Sockets.SocketException or IOException)
        {
            throw new UpstreamException(UpstreamFailure.Unreachable, $"{location.Authority} is unreachable ({RegistryWire.Reason(e)})", inner: e);
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                ThrowUnlessSuccess(response, location.Authority);
            }
        }

        return response;
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(UpstreamTarget target, CancellationToken cancellationToken)
    {
        var tags = new List<string>();
        Uri? url = Url(target, "tags/list?n=1000");
        for (var page = 0; url is not null; page++)
        {
            if (page == MaxTagPages)
            {
                UpstreamLog.TooManyTagPages(logger, url.Authority, target.Repository, MaxTagPages);
                break;
            }

            var current = url;
            url = await RunAsync(target.Rule, "GET", current, async token =>
            {
                using var response = await SendAuthorizedAsync(target.Rule, Scope(target), HttpMethod.Get, current, "application/json",
                    HttpCompletionOption.ResponseHeadersRead, token);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                ThrowUnlessSuccess(response, current.Authority);
                using var json = JsonDocument.Parse(await UpstreamResponses.ReadBoundedAsync(response, MaxManifestBytes, target, token));
                if (json.RootElement.TryGetProperty("tags", out var list) && list.ValueKind == JsonValueKind.Array)
                {
                    tags.AddRange(list.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!));
                }

                return UpstreamResponses.NextPage(response, current);
            }, cancellationToken);
        }

        return tags;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>HEAD or GET of a manifest; a redirect is followed once, with credentials only on the same host.</summary>
    private Task<T?> FetchManifestAsync<T>(UpstreamTarget target, string reference, HttpMethod method,
        Func<HttpResponseMessage, CancellationToken, Task<T>> read, CancellationToken cancellationToken) where T : class
    {
        var url = Url(target, "manifests/" + reference);
        return RunAsync(target.Rule, method.Method, url, async token =>
        {
            var scope = Scope(target);
            var response = await SendAuthorizedAsync(target.Rule, scope, method, url, ManifestAccept, HttpCompletionOption.ResponseHeadersRead, token);
            if (IsRedirect(response.StatusCode))
            {
                var next = Location(response, url, url.Authority);
                response.Dispose();
                response = next.Authority == url.Authority && next.Scheme == url.Scheme
                    ? await SendAuthorizedAsync(target.Rule, scope, method, next, ManifestAccept, HttpCompletionOption.ResponseHeadersRead, token)
                    : await SendOnceAsync(Request(method, next, ManifestAccept, null), HttpCompletionOption.ResponseHeadersRead, token);
            }

            using (response)
            {
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }

                ThrowUnlessSuccess(response, url.Authority);
                return await read(response, token);
            }
        }, cancellationToken);
    }

    private T Success<T>(HttpResponseMessage response, UpstreamTarget target, Func<HttpResponseMessage, T> read)
    {
        ThrowUnlessSuccess(response, target.Rule.Registry.Authority);
        return read(response);
    }

    private static Uri Url(UpstreamTarget target, string rest) => new(target.Rule.Registry, $"/v2/{target.Repository}/{rest}");

    private static string Scope(UpstreamTarget target) => $"repository:{target.Repository}:pull";
}
