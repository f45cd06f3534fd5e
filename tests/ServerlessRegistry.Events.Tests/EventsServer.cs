using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Events.Delivery;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>
/// A registry (real Kestrel, shared Azurite) whose events go to webhooks on a <see cref="WebhookReceiver"/>: "all"
/// (every event, signed, with an Authorization header) and "team" (push and delete under team/**). Retries are fast.
/// </summary>
public class EventsServer : IAsyncLifetime
{
    public const string Secret = "s3cret-for-tests";

    public WebhookReceiver Receiver { get; private set; } = null!;
    public RegistryServer Server { get; private set; } = null!;
    public CapturingLoggerProvider Logs { get; } = new();

    internal EventQueues Queues => Server.Services.GetRequiredService<EventQueues>();
    internal IQueueStore QueueStore => Server.Services.GetRequiredService<IQueueStore>();

    /// <summary>Settings beyond the two webhooks and the fast retries.</summary>
    protected virtual Dictionary<string, string?> Settings => [];

    public async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Events:Webhooks:0:Name"] = "all",
            ["Events:Webhooks:0:Url"] = Receiver.Url("all").ToString(),
            ["Events:Webhooks:0:Secret"] = Secret,
            ["Events:Webhooks:0:Headers:Authorization"] = "Bearer hook-token",
            ["Events:Webhooks:1:Name"] = "team",
            ["Events:Webhooks:1:Url"] = Receiver.Url("team").ToString(),
            ["Events:Webhooks:1:Actions:0"] = "push",
            ["Events:Webhooks:1:Actions:1"] = "delete",
            ["Events:Webhooks:1:Repositories:0"] = "team/**",
            ["Events:FirstRetryAfter"] = "00:00:00.2",
            ["Events:MaxRetryAfter"] = "00:00:01",
            // Tries for about 18 s before a dead letter, and a slow answer on a busy machine is not taken for a lost one:
            // a receiver that is down for a while still gets every event, once.
            ["Events:MaxAttempts"] = "20",
            ["Events:DeliveryTimeout"] = "00:00:30",
        };
        foreach (var (key, value) in Settings)
        {
            settings[key] = value;
        }

        Server = await RegistryServer.StartAsync(settings, services => services.AddSingleton<ILoggerProvider>(Logs));
    }

    /// <summary>Until every queued event was delivered or dead-lettered.</summary>
    public Task DrainedAsync() => Server.Services.GetRequiredService<EventDeliveryLoop>().WaitUntilDrainedAsync(TimeSpan.FromSeconds(20));

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Receiver.DisposeAsync();
    }
}

/// <summary>As <see cref="EventsServer"/>, with pull events on.</summary>
public sealed class PullEventsServer : EventsServer
{
    protected override Dictionary<string, string?> Settings => new() { ["Events:Pulls"] = "true" };
}

/// <summary>As <see cref="EventsServer"/>, giving up after two tries.</summary>
public sealed class TwoTriesServer : EventsServer
{
    protected override Dictionary<string, string?> Settings => new() { ["Events:MaxAttempts"] = "2", ["Events:FirstRetryAfter"] = "00:00:00.05" };
}
