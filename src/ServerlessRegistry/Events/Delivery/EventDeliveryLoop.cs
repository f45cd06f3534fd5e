using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Events.Delivery;

/// <summary>
/// The standalone server's consumer of the live events queue: receives messages, hands each to <see cref="EventDelivery"/>
/// (up to <see cref="MaxInFlight"/> at a time) and deletes it once handled. Woken at once by a local enqueue
/// (<see cref="EventSignal"/>), else polls every <see cref="PollInterval"/>. Never runs inside the Functions worker,
/// where a queue-triggered function consumes the same queue (and always listens: infra sets EventsQueueName, see
/// <see cref="EventsWorkerCheck"/>), so stored webhooks need nothing more there.
/// </summary>
/// <remarks>
/// <para>Why it idles instead of starting on demand from the admin API: a stored webhook may be created on another
/// instance, or by the CLI against storage, and this instance must start delivering without a restart. Until some
/// destination exists the loop does not touch the queue: it re-reads the stored webhooks once per
/// <see cref="EventsOptions.EndpointRefreshInterval"/> (the same cached snapshot the publisher uses, so no extra query
/// when requests keep it fresh), and a webhook stored through this process wakes it at once. With no destination at
/// all a registry therefore costs one table query a minute and no queue transaction. Once started it keeps polling
/// even if every stored webhook is removed: messages already queued still need delivering or dead-lettering.</para>
/// <para>The host start waits for the first read of the stored webhooks (bounded by
/// <see cref="EventPublisher.SendTimeout"/>), so from the first request the publisher knows whether anyone wants events.</para>
/// <para>A message stays hidden while it is handled (the delivery timeout plus a margin) and comes back if the process dies
/// first, or if storage failed while handling it; after <see cref="EventDelivery.MaxDequeueCount"/> receipts it goes as it is
/// to the dead-letter queue (<see cref="EventDelivery.HandleAsync"/>). Several instances may run against one queue: each message is handled
/// by whoever receives it.</para>
/// </remarks>
internal sealed class EventDeliveryLoop(IServiceProvider services, EventDestinations destinations, EventDelivery delivery, IQueueStore queues,
    EventQueues names, EventSignal signal, IOptions<EventsOptions> options, ILogger<EventDeliveryLoop> logger) : BackgroundService
{
    public const int MaxInFlight = 16;

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Added to the slowest destination's timeout for how long a message stays hidden (<see cref="Visibility"/>).</summary>
    public static readonly TimeSpan VisibilityMargin = TimeSpan.FromMinutes(3);

    // Never disposed: a handler may still release its slot after the host disposed this service (StopAsync stops waiting
    // for handlers when its token fires), and a SemaphoreSlim whose wait handle is never asked for holds nothing to free.
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private int _inFlight;

    /// <summary>Whether this process delivers events itself (set once the host started).</summary>
    public bool Running { get; private set; }

    /// <summary>
    /// Waits until the live queue is empty: every event queued so far delivered or dead-lettered, retries included
    /// (a follow-up waiting for its back-off counts). For tests and benchmarks; polls the queue's count.
    /// </summary>
    public async Task WaitUntilDrainedAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (Volatile.Read(ref _inFlight) > 0 || await queues.CountAsync(names.Live, cts.Token) > 0)
            {
                await Task.Delay(20, cts.Token);
            }
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"The events queue {names.Live} still held messages after {timeout}.");
        }
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<FunctionsWorkerMarker>() is null)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(EventPublisher.SendTimeout);
            try
            {
                await destinations.CurrentAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Storage is slow: the first request re-reads the stored webhooks instead.
            }
        }

        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<FunctionsWorkerMarker>() is not null)
        {
            return;
        }

        EventDestinations.Set current;
        try
        {
            while (!(current = await destinations.CurrentAsync(stoppingToken)).Any)
            {
                await signal.WaitAsync(options.Value.EndpointRefreshInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        Running = true;
        var destinationNames = string.Join(", ", current.All.Select(d => d.Name));
        EventsLog.LoopStarted(logger, names.Live, destinationNames);
        var visibility = Visibility(destinations.Configured.All.Select(d => d.Timeout ?? options.Value.DeliveryTimeout).Append(options.Value.DeliveryTimeout));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stoppingToken);
                var taken = 1;
                while (taken < MaxInFlight && _slots.Wait(0, CancellationToken.None))
                {
                    taken++;
                }

                IReadOnlyList<QueuedMessage> batch = [];
                try
                {
                    batch = await queues.ReceiveAsync(names.Live, taken, visibility, stoppingToken);
                }
                finally
                {
                    // Slots of messages not received are free again; the others are freed as each message finishes.
                    if (batch.Count < taken)
                    {
                        _slots.Release(taken - batch.Count);
                    }
                }

                foreach (var message in batch)
                {
                    Interlocked.Increment(ref _inFlight);
                    _ = HandleAsync(message, stoppingToken);
                }

                if (batch.Count == 0)
                {
                    await signal.WaitAsync(PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (StorageException e)
            {
                EventsLog.QueueFailed(logger, e, e.Message);
                await Task.Delay(PollInterval, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// How long a received message stays hidden: its slowest destination's timeout (they run in parallel), plus a margin
    /// for the sends after it, which the storage client retries for up to minutes when storage is slow. A shorter hide
    /// would let another instance take the message while it is still being handled, and deliver it twice.
    /// </summary>
    public static TimeSpan Visibility(IEnumerable<TimeSpan> timeouts) => timeouts.Max() + VisibilityMargin;

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // Let handlers that are finishing (their deliveries were cancelled) return before the services go away.
        while (Volatile.Read(ref _inFlight) > 0 && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None);
        }
    }

    private async Task HandleAsync(QueuedMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Yield();
            await delivery.HandleAsync(message.Text, message.DequeueCount, stoppingToken);
            await queues.DeleteAsync(names.Live, message, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Left hidden; it comes back after the visibility timeout, to this instance or another.
        }
        catch (StorageException e)
        {
            EventsLog.QueueFailed(logger, e, e.Message);
        }
        catch (Exception e)
        {
            // A defect: logged here, since nobody awaits this task; the message comes back after its visibility timeout.
            EventsLog.HandlingFailed(logger, e, message.Id);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            _slots.Release();
        }
    }
}
