using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Errors;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Mirror.Fill;
using ServerlessRegistry.Mirror.Upstream;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// The registry on Azurite, a <see cref="RedirectingUpstream"/>, and a front host on loopback whose GET and HEAD of
/// <c>/blobs/{digest}</c> go to <see cref="BlobFiller"/> for repository <see cref="Repository"/>, as the mirror's blob
/// routes do on a miss. Records the registry's log events.
/// </summary>
internal sealed class FillTestsHarness : IAsyncDisposable
{
    public const string Repository = "cache/lib/app";

    private FillTestsHarness(RedirectingUpstream upstream, RegistryServer server, LoopbackHost front, LogRecorder log, TaskCompletionSource clientLeft)
    {
        Upstream = upstream;
        Server = server;
        Front = front;
        Log = log;
        FrontAborted = clientLeft;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, MaxResponseDrainSize = 0 }) { BaseAddress = front.BaseAddress };
    }

    public RedirectingUpstream Upstream { get; }
    public RegistryServer Server { get; }
    public LoopbackHost Front { get; }
    public LogRecorder Log { get; }
    public HttpClient Client { get; }

    /// <summary>Set when the front host sees a client leave mid-request.</summary>
    public TaskCompletionSource FrontAborted { get; }

    public FillJobs Jobs => Server.Services.GetRequiredService<FillJobs>();
    public Core.Registry.BlobService Blobs => Server.Services.GetRequiredService<Core.Registry.BlobService>();
    public Core.Storage.RegistryStorage Storage => Server.Services.GetRequiredService<Core.Storage.RegistryStorage>();

    /// <param name="wrapBlobs">Wraps the registry's blob store (a slow or gated storage).</param>
    public static async Task<FillTestsHarness> StartAsync(Func<Core.Storage.IBlobStore, Core.Storage.IBlobStore>? wrapBlobs = null)
    {
        var upstream = await RedirectingUpstream.StartAsync();
        var log = new LogRecorder();
        var server = await RegistryServer.StartAsync(
            new Dictionary<string, string?> { ["Registry:BlockSize"] = "262144", ["Logging:LogLevel:ServerlessRegistry.Mirror"] = "Information" },
            services =>
            {
                services.AddSingleton<IUpstreamRegistry, FillTestsUpstream>();
                services.AddSingleton<ILoggerProvider>(log);
                if (wrapBlobs is not null)
                {
                    var original = services.Last(d => d.ServiceType == typeof(Core.Storage.RegistryStorage));
                    services.AddSingleton(sp =>
                    {
                        var inner = (Core.Storage.RegistryStorage)original.ImplementationFactory!(sp);
                        return new Core.Storage.RegistryStorage(inner.Layout, wrapBlobs(inner.Blobs), inner.Metadata);
                    });
                }
            });
        var rule = new CacheRule("cache/lib/app", false, upstream.BaseAddress, "lib/app", upstream.BaseAddress.Authority, false, null, null,
            TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));
        var target = new UpstreamTarget(rule, "lib/app");
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var front = await LoopbackHost.StartAsync(async context =>
        {
            context.RequestAborted.Register(() => aborted.TrySetResult());
            var filler = server.Services.GetRequiredService<BlobFiller>();
            var request = new RegistryRequest(context, server.Services.GetRequiredService<EndpointServices>(), Repository)
            {
                Digest = Digest.TryParse(context.Request.Path.Value!["/blobs/".Length..], out var digest) == DigestParseResult.Ok ? digest : default,
            };
            try
            {
                var result = HttpMethods.IsHead(context.Request.Method)
                    ? await filler.HeadMissAsync(request, target)
                    : await filler.GetMissAsync(request, target);
                await result.ExecuteAsync(context);
            }
            catch (RegistryException e)
            {
                await ErrorWriter.WriteAsync(context, e);
            }
        });
        return new FillTestsHarness(upstream, server, front, log, aborted);
    }

    /// <summary>The names of data blobs in storage, committed or not.</summary>
    public async Task<List<Core.Storage.StoredBlob>> DataBlobsAsync() =>
        await Storage.Blobs.ListAsync(Core.Storage.StorageLayout.DataPrefix, default).ToListAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Jobs.WhenIdleAsync();
        await Front.DisposeAsync();
        await Server.DisposeAsync();
        await Upstream.DisposeAsync();
    }
}

/// <summary>The upstream port over plain HTTP without auth: just what the fill calls, for the fill's tests.</summary>
internal sealed class FillTestsUpstream : IUpstreamRegistry
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false });

    public async Task<UpstreamDescriptor?> HeadBlobAsync(UpstreamTarget target, string digest, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Head, BlobUri(target, digest), 0, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null
            : new UpstreamDescriptor(response.Headers.TryGetValues("Docker-Content-Digest", out var d) ? d.First() : null,
                response.Content.Headers.ContentType?.MediaType, response.Content.Headers.ContentLength);
    }

    public async Task<UpstreamBlob?> GetBlobAsync(UpstreamTarget target, string digest, CancellationToken cancellationToken)
    {
        var uri = BlobUri(target, digest);
        var response = await SendAsync(HttpMethod.Get, uri, 0, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }

        if ((int)response.StatusCode is >= 300 and < 400)
        {
            response.Dispose();
            return new UpstreamBlob(new Uri(uri, response.Headers.Location!), null);
        }

        return new UpstreamBlob(null, response);
    }

    public Task<HttpResponseMessage> GetRedirectedAsync(Uri location, long offset, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, location, offset, cancellationToken);

    private static Uri BlobUri(UpstreamTarget target, string digest) => new(target.Rule.Registry, $"/v2/{target.Repository}/blobs/{digest}");

    private static async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, long offset, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (offset > 0)
        {
            request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(offset, null);
        }

        var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            var after = response.Headers.RetryAfter?.Delta;
            response.Dispose();
            throw new UpstreamException(UpstreamFailure.RateLimited, $"{uri.Authority} answered 429", after, 429);
        }

        return response;
    }

    public Task<UpstreamDescriptor?> HeadManifestAsync(UpstreamTarget target, string reference, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<UpstreamManifest?> GetManifestAsync(UpstreamTarget target, string reference, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<IReadOnlyList<string>> ListTagsAsync(UpstreamTarget target, CancellationToken cancellationToken) => throw new NotSupportedException();
    public Task<UpstreamCheck> CheckAsync(CacheRule rule, CancellationToken cancellationToken) => throw new NotSupportedException();
}

/// <summary>Keeps the event ids the registry logged (at the configured levels).</summary>
internal sealed class LogRecorder : ILoggerProvider
{
    private readonly ConcurrentQueue<(int Id, string Message)> _events = new();

    public bool Has(int eventId) => _events.Any(e => e.Id == eventId);

    /// <summary>The messages logged under <paramref name="eventId"/>.</summary>
    public string Messages(int eventId) => string.Join("; ", _events.Where(e => e.Id == eventId).Select(e => e.Message));

    public ILogger CreateLogger(string categoryName) => new Recorder(_events);

    public void Dispose()
    {
    }

    private sealed class Recorder(ConcurrentQueue<(int Id, string Message)> events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            events.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
