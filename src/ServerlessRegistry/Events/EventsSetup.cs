using System.CommandLine;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Events.Delivery;
using ServerlessRegistry.Events.EventGrid;
using ServerlessRegistry.Events.Replication;
using ServerlessRegistry.Events.Webhooks;

namespace ServerlessRegistry.Events;

/// <summary>
/// The events feature's one seam into the program: its options ("Events" section, checked at start), the publisher the
/// API calls (<see cref="IRegistryEvents"/>), the destinations (webhooks, Event Grid, replication rules), the delivery
/// loop and its commands. Destinations are settings plus the webhooks stored through the admin API
/// (<see cref="StoredWebhookCache"/>). With no destination at all nothing is queued and the queue is never polled.
/// </summary>
internal static class EventsSetup
{
    public static IServiceCollection AddEvents(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EventsOptions>().Bind(configuration.GetSection("Events")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventsOptions>, EventsOptionsCheck>();
        services.AddSingleton(sp => new EventQueues(sp.GetRequiredService<RegistryStorage>().Layout));
        services.AddSingleton<StoredWebhookStore>();
        services.AddSingleton<StoredWebhookCache>();
        services.AddSingleton(sp => new EventDestinations(sp.GetServices<IEventDestinationSource>(), sp.GetRequiredService<StoredWebhookCache>()));
        services.AddSingleton<EventSignal>();
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<IRegistryEvents>(sp => sp.GetRequiredService<EventPublisher>());
        services.AddSingleton<EventDelivery>();
        services.AddSingleton<EventDeliveryLoop>();
        services.AddHostedService(sp => sp.GetRequiredService<EventDeliveryLoop>());
        services.AddHostedService<EventsWorkerCheck>();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<IEventDestinationSource, WebhookDestinations>();
        services.AddEventGrid();
        services.AddReplication();
        return services;
    }

    public static IEnumerable<Command> Commands() => [EventsCommands.Create(), .. ReplicationSetup.Commands()];
}
