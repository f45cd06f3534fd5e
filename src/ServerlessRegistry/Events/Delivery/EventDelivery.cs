using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events.Delivery;

/// <summary>
/// Handles one message of the live queue, the same way in both hosts (the standalone loop and the Functions queue
/// trigger): delivers its events to each named destination in parallel, each bounded by its own
/// <see cref="IEventDestination.Timeout"/> or else <see cref="EventsOptions.DeliveryTimeout"/>; the destinations that
/// failed get ONE follow-up message (same events and ids, attempt + 1, their last errors) first visible after the
/// back-off, or, past <see cref="EventsOptions.MaxAttempts"/>,
/// a dead letter instead. A malformed message, or one naming a destination no longer configured, is dead-lettered at once.
/// </summary>
/// <remarks>
/// The caller deletes the message after <see cref="ProcessAsync"/> returns, so a crash in between redelivers it: at
/// least once, duplicates keep their ids, nothing is lost. <see cref="ProcessAsync"/> throws only when storage fails
/// (the follow-up could not be sent) or the caller cancels; then the message must stay and come back. Thread-safe.
/// </remarks>
internal sealed class EventDelivery(EventDestinations destinations, IQueueStore queues, EventQueues names, IOptions<EventsOptions> options,
    ILogger<EventDelivery> logger)
{
    /// <summary>
    /// Receipts of one message before it is dead-lettered as it is, host.json's maxDequeueCount. A message comes back only
    /// when handling it threw (storage failed, a defect) or the process died; without a bound it would come back forever,
    /// delivering again to the healthy destinations each time.
    /// </summary>
    public const int MaxDequeueCount = 5;

    private readonly EventsOptions _options = options.Value;

    /// <summary>
    /// Handles a message received for the <paramref name="dequeueCount"/>-th time: as <see cref="ProcessAsync"/>, except
    /// that at <see cref="MaxDequeueCount"/> a failure sends the text as it is to the dead-letter queue instead of
    /// throwing, and past it (the process died while handling it) the text goes there without a try. Returns normally
    /// in both cases, so the caller deletes the message and the Functions host never moves it itself (its copy would
    /// expire after 7 days). Throws as <see cref="ProcessAsync"/> below the bound, or when the dead letter cannot be sent.
    /// </summary>
    public async Task HandleAsync(string text, long dequeueCount, CancellationToken cancellationToken)
    {
        if (dequeueCount > MaxDequeueCount)
        {
            await DeadLetterRawAsync(text, dequeueCount, "it kept coming back unhandled", cancellationToken);
            return;
        }

        if (dequeueCount < MaxDequeueCount)
        {
            await ProcessAsync(text, cancellationToken);
            return;
        }

        try
        {
            await ProcessAsync(text, cancellationToken);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            await DeadLetterRawAsync(text, dequeueCount, $"{e.GetType().Name}: {e.Message}", cancellationToken);
        }
    }

    public async Task ProcessAsync(string text, CancellationToken cancellationToken)
    {
        if (!DeliveryMessage.TryParse(text, out var message, out var problem))
        {
            // As it is: an operator can read what arrived, and the CLI lists it as malformed.
            await queues.SendAsync(names.DeadLetter, text, TimeSpan.Zero, cancellationToken);
            EventsLog.Malformed(logger, names.DeadLetter, problem);
            return;
        }

        var results = await Task.WhenAll(message.Destinations.Select(t => DeliverAsync(t.Name, message.Events, cancellationToken)));
        var unknown = results.Where(r => r.Unknown).Select(r => r.Target).ToList();
        var failed = results.Where(r => r is { Unknown: false, Target.Error: not null }).Select(r => r.Target).ToList();
        var ids = string.Join(",", message.Events.Select(e => e.Id));

        if (unknown.Count > 0)
        {
            await DeadLetterAsync(message with { Destinations = unknown }, ids, cancellationToken);
        }

        if (failed.Count == 0)
        {
            return;
        }

        var last = message.Attempt >= _options.MaxAttempts;
        TimeSpan? retryAfter = last ? null : RetryAfter(message.Attempt);
        foreach (var target in failed)
        {
            EventsLog.DeliveryFailed(logger, target.Name, message.Attempt, _options.MaxAttempts,
                retryAfter is { } after ? $"next try in {after}" : "no tries left", target.Error!, ids);
        }

        if (last)
        {
            await DeadLetterAsync(message with { Destinations = failed }, ids, cancellationToken);
            return;
        }

        foreach (var part in DeliveryMessage.Fit(message with { Attempt = message.Attempt + 1, Destinations = failed }))
        {
            await queues.SendAsync(names.Live, part.ToJson(), retryAfter!.Value, cancellationToken);
        }
    }

    /// <summary>FirstRetryAfter after the first try, doubling after each later one, capped at MaxRetryAfter (and the queue's 7 days).</summary>
    public TimeSpan RetryAfter(int attempt)
    {
        var cap = TimeSpan.FromTicks(Math.Min(_options.MaxRetryAfter.Ticks, TimeSpan.FromDays(7).Ticks));
        var delay = _options.FirstRetryAfter;
        for (var i = 1; i < attempt && delay < cap; i++)
        {
            delay *= 2;
        }

        return delay < cap ? delay : cap;
    }

    private async Task DeadLetterAsync(DeliveryMessage message, string ids, CancellationToken cancellationToken)
    {
        foreach (var part in DeliveryMessage.Fit(message))
        {
            await queues.SendAsync(names.DeadLetter, part.ToJson(), TimeSpan.Zero, cancellationToken);
        }

        foreach (var target in message.Destinations)
        {
            EventsLog.DeadLettered(logger, target.Name, message.Attempt, names.DeadLetter, target.Error ?? "", ids);
        }
    }

    private async Task DeadLetterRawAsync(string text, long dequeueCount, string reason, CancellationToken cancellationToken)
    {
        await queues.SendAsync(names.DeadLetter, text, TimeSpan.Zero, cancellationToken);
        EventsLog.GaveUpOnMessage(logger, dequeueCount, names.DeadLetter, reason);
    }

    /// <summary>One destination's try: the target with its error (null when delivered), and whether it is unknown.</summary>
    private async Task<(DeliveryTarget Target, bool Unknown)> DeliverAsync(string name, IReadOnlyList<RegistryEvent> events, CancellationToken cancellationToken)
    {
        if (await destinations.FindAsync(name, cancellationToken) is not { } destination)
        {
            return (new DeliveryTarget(name, $"destination '{name}' is not configured (any more)"), true);
        }

        // Filters may have changed since the events were queued; events the destination no longer wants are not sent.
        var accepted = events.Where(destination.Accepts).ToList();
        if (accepted.Count == 0)
        {
            return (new DeliveryTarget(name), false);
        }

        var limit = destination.Timeout ?? _options.DeliveryTimeout;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        try
        {
            await destination.DeliverAsync(accepted, timeout.Token);
            return (new DeliveryTarget(name), false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return (new DeliveryTarget(name, $"no answer within {limit.TotalSeconds:0.###} s"), false);
        }
        catch (Exception e)
        {
            var error = e is DeliveryException ? e.Message : $"{e.GetType().Name}: {e.Message}";
            return (new DeliveryTarget(name, DeliveryMessage.Cut(error)), false);
        }
    }
}
