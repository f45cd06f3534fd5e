using Microsoft.Azure.Functions.Worker;
using ServerlessRegistry.Events;
using ServerlessRegistry.Events.Delivery;

namespace ServerlessRegistry.Functions;

/// <summary>
/// Delivers queued events in the Functions worker: the queue trigger on the live events queue, whose name the
/// EventsQueueName app setting gives ("{Storage:Prefix}events"; the worker refuses to start when it names another queue
/// while destinations are configured). The connection is the EventsQueue setting: EventsQueue__queueServiceUri with the
/// managed identity (Storage Queue Data Contributor), or a connection string locally.
/// </summary>
/// <remarks>
/// Retries and dead letters are the registry's own (<see cref="EventDelivery"/>): a message whose deliveries failed is
/// followed up or dead-lettered, and the function returns, so the host deletes it. The function throws only when storage
/// fails while following up; the host then retries the message. At <see cref="EventDelivery.MaxDequeueCount"/> (host.json's
/// maxDequeueCount) the function dead-letters the message itself and returns (<see cref="EventDelivery.HandleAsync"/>):
/// the host would move it to the same "{queue}-poison" queue, but with the default 7-day expiry.
/// </remarks>
internal sealed class EventFunctions(EventDelivery delivery)
{
    public const string DeliverEventsName = "DeliverEvents";

    /// <summary>The app setting holding the queue's name, as "%EventsQueueName%" in the trigger.</summary>
    public const string QueueNameSetting = EventsWorkerCheck.QueueNameSetting;

    /// <summary>The connection's settings prefix (EventsQueue__queueServiceUri, EventsQueue__credential, EventsQueue__clientId).</summary>
    public const string Connection = "EventsQueue";

    [Function(DeliverEventsName)]
    public Task DeliverEventsAsync([QueueTrigger("%" + QueueNameSetting + "%", Connection = Connection)] string message,
        long dequeueCount, CancellationToken cancellationToken) =>
        // dequeueCount is the trigger's metadata of that name, bound by the worker.
        delivery.HandleAsync(message, dequeueCount, cancellationToken);
}
