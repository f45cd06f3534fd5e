using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events;

/// <summary>
/// The events feature's queues, named from the storage prefix (see <see cref="StorageLayout"/>):
/// <code>
/// {prefix}events          live deliveries: new messages, and follow-ups of failed tries (sent with a delay)
/// {prefix}events-poison   dead letters: deliveries out of tries, malformed messages, and what the Functions host
///                         moves there after its own maxDequeueCount (it names its poison queue "{queue}-poison")
/// </code>
/// </summary>
internal sealed class EventQueues(StorageLayout layout)
{
    /// <summary>The live queue; the Functions worker's EventsQueueName app setting must name it.</summary>
    public string Live { get; } = layout.Prefix + "events";

    /// <summary>The dead-letter queue, the same name the Functions host gives its poison queue for <see cref="Live"/>.</summary>
    public string DeadLetter { get; } = layout.Prefix + "events-poison";
}
