namespace ServerlessRegistry.Events;

/// <summary>
/// Somewhere events go: a webhook, the Event Grid topic, a replication rule. Built from the options at start by an
/// <see cref="IEventDestinationSource"/>; the publisher asks <see cref="Accepts"/> on the request path, the delivery
/// loop calls <see cref="DeliverAsync"/> off it.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. Delivery is at least once: <see cref="DeliverAsync"/> may be called again with
/// events it already delivered (a retry after a partial failure, a redelivery), each with the same id, so what it does
/// must be idempotent per event id or harmless to repeat.
/// </remarks>
internal interface IEventDestination
{
    /// <summary>Unique, stable across restarts and shown by the CLI: "webhook:{name}", "eventgrid", "replication:{name}".</summary>
    string Name { get; }

    /// <summary>Whether this destination wants <paramref name="e"/> (its action and repository filters). No I/O.</summary>
    bool Accepts(RegistryEvent e);

    /// <summary>
    /// Whether some event with <paramref name="action"/> (push, pull, mount, delete, fill) could be accepted, whatever its
    /// repository. No I/O. Lets the registry skip building events nobody wants; answering true is always safe.
    /// </summary>
    bool CouldAccept(string action) => true;

    /// <summary>How long one delivery may take before it counts as failed; null: <see cref="EventsOptions.DeliveryTimeout"/>.</summary>
    TimeSpan? Timeout => null;

    /// <summary>
    /// Delivers <paramref name="events"/> (all accepted by this destination, in order) once. Returns when the receiver took
    /// them; throws <see cref="DeliveryException"/> (or any exception) when it did not, and the events are tried again later.
    /// </summary>
    Task DeliverAsync(IReadOnlyList<RegistryEvent> events, CancellationToken cancellationToken);
}

/// <summary>Builds one kind's destinations from the checked options. Called once, on first use.</summary>
internal interface IEventDestinationSource
{
    IEnumerable<IEventDestination> Create();
}

/// <summary>A delivery the receiver refused or did not answer; the message is what the CLI shows for it.</summary>
internal sealed class DeliveryException(string message, Exception? inner = null) : Exception(message, inner);
