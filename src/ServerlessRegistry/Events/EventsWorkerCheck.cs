using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Events;

/// <summary>
/// In the Functions worker, refuses to start when the queue trigger would listen on another queue than the one the
/// registry sends to: the EventsQueueName app setting must be <see cref="EventQueues.Live"/> when it is set (infra always
/// sets it, so webhooks stored at runtime are delivered without a restart), and must be set when destinations are
/// configured in settings. Otherwise events would pile up undelivered. No I/O: stored webhooks are not read here, and a
/// worker deployed without the setting does not deliver them (the admin API cannot tell from another process).
/// </summary>
internal sealed class EventsWorkerCheck(IServiceProvider services, IConfiguration configuration, EventDestinations destinations, EventQueues names)
    : IHostedService
{
    /// <summary>The app setting the queue trigger's "%EventsQueueName%" reads.</summary>
    public const string QueueNameSetting = "EventsQueueName";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var queueName = configuration[QueueNameSetting];
        if (services.GetService<FunctionsWorkerMarker>() is not null && (destinations.Configured.Any || !string.IsNullOrEmpty(queueName))
            && Problem(queueName, names) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Why the setting does not fit, in one line, or null.</summary>
    public static string? Problem(string? queueName, EventQueues names) =>
        string.Equals(queueName, names.Live, StringComparison.Ordinal)
            ? null
            : $"{QueueNameSetting} is {(string.IsNullOrEmpty(queueName) ? "not set" : $"'{queueName}'")} but events are queued on '{names.Live}' " +
              $"(the Storage:Prefix followed by 'events'); set the app setting {QueueNameSetting}={names.Live}, or configure no event destinations.";
}
