using Microsoft.Extensions.Options;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Events.Delivery;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Events;

/// <summary>
/// The <see cref="IRegistryEvents"/> the API calls: turns a request's changes into <see cref="RegistryEvent"/>s, keeps
/// those some destination accepts, and queues them in one message (more only past the size limit) on
/// <see cref="EventQueues.Live"/>, naming the destinations that accepted. Delivery happens elsewhere
/// (<see cref="EventDelivery"/>), never on the request path.
/// </summary>
/// <remarks>
/// Thread-safe. The send ignores the request's cancellation (an aborted client must not lose the event of a change
/// already stored) and is bounded by <see cref="SendTimeout"/> instead; a failure is logged with the event ids and
/// swallowed. Each call makes new event ids, so a client's retry yields new events.
/// </remarks>
internal sealed partial class EventPublisher : IRegistryEvents
{
    /// <summary>The storage client retries within this; past it the events are logged as lost.</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Distribution's source.instanceID: one per process.</summary>
    private static readonly string InstanceId = Guid.NewGuid().ToString();

    private readonly EventDestinations _destinations;
    private readonly IQueueStore _queues;
    private readonly EventQueues _names;
    private readonly EventSignal _signal;
    private readonly TimeProvider _time;
    private readonly Uri? _publicUrl;
    private readonly ILogger<EventPublisher> _logger;
    private readonly bool _pulls;

    public EventPublisher(EventDestinations destinations, IQueueStore queues, EventQueues names, EventSignal signal, TimeProvider time,
        IOptions<EventsOptions> options, IOptions<PublicUrlOptions> publicUrl, ILogger<EventPublisher> logger)
    {
        (_destinations, _queues, _names, _signal, _time, _logger) = (destinations, queues, names, signal, time, logger);
        _publicUrl = publicUrl.Value.Url;
        _pulls = options.Value.Pulls;
    }

    /// <summary>push, pull, mount, delete, fill (<see cref="EventActions"/>).</summary>
    public static string WireName(ChangeAction action) => EventActions.WireName(action);

    /// <summary>
    /// From the destinations known in memory; while the stored webhooks are stale (an idle instance, past the refresh
    /// interval) every action but an unwanted pull is answered yes, and <see cref="PublishAsync"/> re-reads them.
    /// </summary>
    public bool Wants(ChangeAction action) =>
        (action != ChangeAction.Pull || _pulls) && (_destinations.Fresh is not { } fresh || fresh.CouldAccept(WireName(action)));

    public async Task PublishAsync(IReadOnlyList<RegistryChange> changes, ChangeOrigin origin, CancellationToken cancellationToken)
    {
        // At most one table query per refresh interval (none when fresh); bounded like the send, for the same reason.
        // A failed or slow read falls back to what is known: settings, and the stored webhooks last read.
        EventDestinations.Set destinations;
        using (var reading = new CancellationTokenSource(SendTimeout))
        {
            try
            {
                destinations = _destinations.Fresh ?? await _destinations.CurrentAsync(reading.Token);
            }
            catch (OperationCanceledException)
            {
                destinations = _destinations.Last;
            }
        }

        var wanted = changes.Where(c => (c.Action != ChangeAction.Pull || _pulls) && destinations.CouldAccept(WireName(c.Action))).Select(c => ToEvent(c, origin)).ToList();
        var accepted = new List<RegistryEvent>(wanted.Count);
        var targets = new List<DeliveryTarget>();
        foreach (var e in wanted)
        {
            var any = false;
            foreach (var destination in destinations.All.Where(d => d.Accepts(e)))
            {
                any = true;
                if (!targets.Exists(t => t.Name == destination.Name))
                {
                    targets.Add(new DeliveryTarget(destination.Name));
                }
            }

            if (any)
            {
                accepted.Add(e);
            }
        }

        if (accepted.Count == 0)
        {
            return;
        }

        // Not the request's token: the change is stored, and its event must be queued even if the client went away.
        using var timeout = new CancellationTokenSource(SendTimeout);
        foreach (var message in DeliveryMessage.Split(accepted, targets))
        {
            try
            {
                await _queues.SendAsync(_names.Live, message.ToJson(), TimeSpan.Zero, timeout.Token);
            }
            catch (Exception e) when (e is StorageException or OperationCanceledException or ArgumentException)
            {
                EventsLog.EnqueueFailed(_logger, e, string.Join(",", message.Events.Select(x => $"{x.Id} ({x.Action} {x.Target.Repository})")), e.Message);
            }
        }

        _signal.Notify();
    }

    private RegistryEvent ToEvent(RegistryChange change, ChangeOrigin origin)
    {
        var reference = change.Digest ?? change.Tag;
        var resource = change.Action == ChangeAction.Mount ? "blobs" : "manifests";
        var baseUrl = BaseUrl(origin);
        return new RegistryEvent
        {
            Id = Guid.NewGuid().ToString(),
            Timestamp = _time.GetUtcNow(),
            Action = WireName(change.Action),
            Target = new EventTarget
            {
                MediaType = change.MediaType,
                // A delete by tag does not read the digest it removed: the target names the tag, and the digest is empty.
                Digest = change.Digest ?? "",
                Size = change.Size,
                Length = change.Size,
                Repository = change.Repository,
                Url = baseUrl is null || reference is null ? null : $"{baseUrl}/v2/{change.Repository}/{resource}/{reference}",
                Tag = change.Tag,
                FromRepository = change.FromRepository,
            },
            Request = origin.RequestId is null && origin.Host is null && origin.Method is null
                ? null
                : new EventRequest { Id = origin.RequestId, Addr = origin.Address, Host = origin.Host, Method = origin.Method, UserAgent = origin.UserAgent },
            Actor = origin.Actor is null ? null : new EventActor { Name = origin.Actor },
            Source = new EventSource { Addr = Environment.MachineName, InstanceId = InstanceId },
        };
    }

    /// <summary>
    /// Registry:PublicUrl (or the Azure host name) when known; else the request's host, which the forwarded-headers
    /// middleware already made the public one, with the request's scheme (without one: http on loopback, else https).
    /// </summary>
    private string? BaseUrl(ChangeOrigin origin)
    {
        if (_publicUrl is not null)
        {
            return _publicUrl.GetLeftPart(UriPartial.Authority);
        }

        if (origin.Host is not { Length: > 0 } host || !Uri.TryCreate("http://" + host, UriKind.Absolute, out var parsed))
        {
            return null;
        }

        return (origin.Scheme is { Length: > 0 } scheme ? scheme + "://" : parsed.IsLoopback ? "http://" : "https://") + host;
    }
}
