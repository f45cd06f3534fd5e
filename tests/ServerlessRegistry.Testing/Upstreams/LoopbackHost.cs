using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ServerlessRegistry.Testing.Upstreams;

/// <summary>
/// A Kestrel app on 127.0.0.1 and a free port answering every request with one delegate: a fake CDN, an upstream, or
/// a front end that hands requests to code under test. Disposing stops it.
/// </summary>
public sealed class LoopbackHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackHost(WebApplication app)
    {
        _app = app;
        BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
    }

    public Uri BaseAddress { get; }

    public static async Task<LoopbackHost> StartAsync(RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        return new LoopbackHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
