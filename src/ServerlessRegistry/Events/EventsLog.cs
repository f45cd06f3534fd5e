namespace ServerlessRegistry.Events;

/// <summary>The events feature's log events (ids 800–819).</summary>
internal static partial class EventsLog
{
    [LoggerMessage(EventId = 800, Level = LogLevel.Error, Message = "Queuing events failed; they are lost: {Events}. {Reason}")]
    public static partial void EnqueueFailed(ILogger logger, Exception exception, string events, string reason);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning, Message = "Delivery to {Destination} failed (try {Attempt} of {MaxAttempts}; {Next}): {Error}. Events {Events}")]
    public static partial void DeliveryFailed(ILogger logger, string destination, int attempt, int maxAttempts, string next, string error, string events);

    [LoggerMessage(EventId = 802, Level = LogLevel.Error, Message = "Delivery to {Destination} gave up after {Attempts} tries; the events are in the dead-letter queue {Queue} ('registry events failed' lists them): {Error}. Events {Events}")]
    public static partial void DeadLettered(ILogger logger, string destination, int attempts, string queue, string error, string events);

    [LoggerMessage(EventId = 803, Level = LogLevel.Error, Message = "A malformed message in the events queue went to the dead-letter queue {Queue}: {Problem}")]
    public static partial void Malformed(ILogger logger, string queue, string problem);

    [LoggerMessage(EventId = 804, Level = LogLevel.Warning, Message = "The events queue could not be read or updated; trying again shortly: {Reason}")]
    public static partial void QueueFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 806, Level = LogLevel.Error, Message = "Handling events message {MessageId} failed unexpectedly; it comes back after its visibility timeout")]
    public static partial void HandlingFailed(ILogger logger, Exception exception, string messageId);

    [LoggerMessage(EventId = 805, Level = LogLevel.Information, Message = "Delivering events from queue {Queue} to {Destinations}")]
    public static partial void LoopStarted(ILogger logger, string queue, string destinations);

    [LoggerMessage(EventId = 807, Level = LogLevel.Error, Message = "An events message received {DequeueCount} times went as it is to the dead-letter queue {Queue} ('registry events failed' lists it): {Reason}")]
    public static partial void GaveUpOnMessage(ILogger logger, long dequeueCount, string queue, string reason);

    [LoggerMessage(EventId = 808, Level = LogLevel.Warning, Message = "The stored webhooks could not be read; delivering to the last ones known: {Reason}")]
    public static partial void StoredWebhooksUnreadable(ILogger logger, Exception exception, string reason);

}
