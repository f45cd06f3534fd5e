using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Testing.Upstreams;

/// <summary>One request as a stub received it.</summary>
public sealed record StubRequest(string Method, string PathAndQuery, string? Authorization, string? Accept, string? Range);

/// <summary>
/// A tiny HTTP server on loopback (real Kestrel, a free port) answering with <paramref name="handler"/>: a token realm,
/// a blob host an upstream redirects to, or an upstream fault (429, a redirect) that real registries do not produce on
/// demand. Records every request it receives. Thread-safe.
/// </summary>
public sealed class StubUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<StubRequest> _received = new();

    private StubUpstream(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests received so far, oldest first.</summary>
    public IReadOnlyList<StubRequest> Received => [.. _received];

    public static async Task<StubUpstream> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new StubUpstream(app);
        app.Run(context =>
        {
            var headers = context.Request.Headers;
            stub._received.Enqueue(new StubRequest(context.Request.Method, context.Request.Path + context.Request.QueryString,
                headers.Authorization.Count > 0 ? headers.Authorization.ToString() : null,
                headers.Accept.Count > 0 ? headers.Accept.ToString() : null,
                headers.Range.Count > 0 ? headers.Range.ToString() : null));
            return handler(context);
        });
        await app.StartAsync();
        stub.BaseAddress = new Uri(RegistryApp.BoundAddress(app).ToString().TrimEnd('/') + "/");
        return stub;
    }

    /// <summary>A Docker token realm that issues <paramref name="token"/> to anyone (for distribution's silly auth, which accepts any Bearer token).</summary>
    public static Task<StubUpstream> TokenRealmAsync(string token, int expiresIn = 300) => StartAsync(context =>
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync($"{{\"token\":\"{token}\",\"expires_in\":{expiresIn}}}");
    });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
