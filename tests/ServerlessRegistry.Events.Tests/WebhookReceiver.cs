using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ServerlessRegistry.Events.Tests;

/// <summary>
/// A webhook receiver on loopback Kestrel: POST /hooks/{name} records the body and headers and answers the status set
/// for that hook (200 unless <see cref="Fail"/> or <see cref="FailNext"/>). <see cref="Stop"/> and
/// <see cref="StartAgainAsync"/> take it down and bring it back on the same port, as an outage would.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _status = new();
    private readonly ConcurrentDictionary<string, int> _once = new();
    private WebApplication? _app;

    private WebhookReceiver(int port) => Port = port;

    public int Port { get; }

    /// <summary>Every delivery answered 2xx, in arrival order.</summary>
    public ConcurrentQueue<Received> Accepted { get; } = new();

    /// <summary>Every delivery answered otherwise, in arrival order.</summary>
    public ConcurrentQueue<Received> Refused { get; } = new();

    /// <summary>How many POSTs each hook got, answered or refused.</summary>
    public ConcurrentDictionary<string, int> Tries { get; } = new();

    public Uri Url(string hook) => new($"http://127.0.0.1:{Port}/hooks/{hook}");

    public static async Task<WebhookReceiver> StartAsync()
    {
        var receiver = new WebhookReceiver(Testing.Azurite.FreePort());
        await receiver.StartAgainAsync();
        return receiver;
    }

    /// <summary>Makes <paramref name="hook"/> answer <paramref name="status"/> (200 heals it).</summary>
    public void Fail(string hook, int status = 500) => _status[hook] = status;

    /// <summary>Makes the next POST to <paramref name="hook"/> alone answer <paramref name="status"/>.</summary>
    public void FailNext(string hook, int status) => _once[hook] = status;

    /// <summary>The events <paramref name="hook"/> accepted, flattened from the envelopes, in arrival order.</summary>
    public List<JsonElement> Events(string hook) => Flatten(Accepted, hook);

    /// <summary>The accepted events of <paramref name="hook"/> for <paramref name="repository"/>.</summary>
    public List<JsonElement> Events(string hook, string repository) => OfRepository(Events(hook), repository);

    /// <summary>The refused events of <paramref name="hook"/> for <paramref name="repository"/>, in arrival order.</summary>
    public List<JsonElement> RefusedEvents(string hook, string repository) => OfRepository(Flatten(Refused, hook), repository);

    private static List<JsonElement> Flatten(IEnumerable<Received> deliveries, string hook) =>
        [.. deliveries.Where(r => r.Hook == hook).SelectMany(r => r.Json.RootElement.GetProperty("events").EnumerateArray())];

    private static List<JsonElement> OfRepository(IEnumerable<JsonElement> events, string repository) =>
        [.. events.Where(e => e.GetProperty("target").GetProperty("repository").GetString() == repository)];

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async Task StartAgainAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/hooks/{hook}", async (string hook, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            Tries.AddOrUpdate(hook, 1, (_, n) => n + 1);
            var status = _once.TryRemove(hook, out var once) ? once : _status.GetValueOrDefault(hook, 200);
            var received = new Received(hook, body.ToArray(), request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            (status is >= 200 and < 300 ? Accepted : Refused).Enqueue(received);

            return Results.StatusCode(status);
        });
        await app.StartAsync();
        _app = app;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>One delivery: the hook it reached, the body as sent and the request headers.</summary>
    public sealed record Received(string Hook, byte[] Body, IReadOnlyDictionary<string, string> Headers)
    {
        public JsonDocument Json { get; } = JsonDocument.Parse(Body);
    }
}

/// <summary>Polling for a condition, with a deadline instead of a sleep.</summary>
internal static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<T> read, Func<T, bool> done, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
