using System.Collections.Frozen;
using ServerlessRegistry.Events.Webhooks;

namespace ServerlessRegistry.Events;

/// <summary>
/// Every destination: those in settings (webhooks, Event Grid, replication rules), built once from the
/// <see cref="IEventDestinationSource"/>s on first use (no I/O), and the stored webhooks (<see cref="StoredWebhookCache"/>),
/// re-read every <see cref="EventsOptions.EndpointRefreshInterval"/>. A name in settings hides a stored webhook of the
/// same name (the admin API refuses to store one; settings may gain one later). Thread-safe.
/// </summary>
internal sealed class EventDestinations
{
    private readonly Lazy<Set> _configured;
    private readonly StoredWebhookCache? _stored;
    private readonly Lock _gate = new();
    private (StoredWebhookCache.Snapshot Stored, Set Set)? _combined;

    /// <param name="stored">The stored webhooks; null: settings only (tests of delivery alone).</param>
    public EventDestinations(IEnumerable<IEventDestinationSource> sources, StoredWebhookCache? stored = null)
    {
        _stored = stored;
        _configured = new(() =>
        {
            var byName = new Dictionary<string, IEventDestination>(StringComparer.Ordinal);
            foreach (var destination in sources.SelectMany(s => s.Create()))
            {
                if (!byName.TryAdd(destination.Name, destination))
                {
                    throw new InvalidOperationException($"Events: two destinations are named '{destination.Name}'; names must be unique.");
                }
            }

            return new Set([.. byName.Values]);
        });
    }

    /// <summary>Destinations at one moment, by name, and the actions any of them could accept. Immutable.</summary>
    public sealed class Set
    {
        private readonly FrozenDictionary<string, IEventDestination> _byName;
        private readonly FrozenSet<string> _actions;

        public Set(IReadOnlyList<IEventDestination> all)
        {
            All = all;
            _byName = all.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);
            _actions = EventActions.All.Where(a => all.Any(d => d.CouldAccept(a))).ToFrozenSet(StringComparer.Ordinal);
        }

        /// <summary>Settings first, in configuration order within each kind; then stored webhooks in name order.</summary>
        public IReadOnlyList<IEventDestination> All { get; }

        public bool Any => All.Count > 0;

        public bool CouldAccept(string action) => _actions.Contains(action);

        public IEventDestination? Find(string name) => _byName.GetValueOrDefault(name);
    }

    /// <summary>The destinations in settings only. No I/O.</summary>
    public Set Configured => _configured.Value;

    /// <summary>Settings and the last stored webhooks loaded, however old. No I/O.</summary>
    public Set Last => Combine(_stored?.Last);

    /// <summary>Settings and stored webhooks when the stored ones are fresh; null when they must be re-read first. No I/O.</summary>
    public Set? Fresh => _stored is null ? Configured : _stored.Fresh is { } fresh ? Combine(fresh) : null;

    /// <summary>Settings and fresh stored webhooks, re-read when stale (one table query per interval at most).</summary>
    public async ValueTask<Set> CurrentAsync(CancellationToken ct) =>
        _stored is null ? Configured : Combine(await _stored.CurrentAsync(ct).ConfigureAwait(false));

    /// <summary>
    /// The destination a queued message names: from settings, else from the stored webhooks, re-read first when the name
    /// is unknown and the snapshot is older than a second (the webhook may have been stored on another instance since).
    /// </summary>
    public async ValueTask<IEventDestination?> FindAsync(string name, CancellationToken ct)
    {
        if (Configured.Find(name) is { } configured)
        {
            return configured;
        }

        if (_stored is null)
        {
            return null;
        }

        return (await CurrentAsync(ct).ConfigureAwait(false)).Find(name)
            ?? Combine(await _stored.ReloadAsync(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false)).Find(name);
    }

    /// <summary>The set for <paramref name="stored"/>, built once per snapshot (requests reuse it).</summary>
    private Set Combine(StoredWebhookCache.Snapshot? stored)
    {
        if (stored is null || stored.Destinations.Count == 0)
        {
            return Configured;
        }

        lock (_gate)
        {
            if (_combined is { } combined && ReferenceEquals(combined.Stored, stored))
            {
                return combined.Set;
            }

            var configured = Configured;
            var set = new Set([.. configured.All, .. stored.Destinations.Values.Where(d => configured.Find(d.Name) is null).OrderBy(d => d.Name, StringComparer.Ordinal)]);
            _combined = (stored, set);
            return set;
        }
    }
}
