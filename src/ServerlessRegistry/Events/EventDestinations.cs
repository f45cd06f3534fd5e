namespace ServerlessRegistry.Events;

/// <summary>
/// Every configured destination, built once from the <see cref="IEventDestinationSource"/>s on first use (no I/O), by name.
/// Thread-safe.
/// </summary>
internal sealed class EventDestinations
{
    private readonly Lazy<IReadOnlyDictionary<string, IEventDestination>> _byName;

    public EventDestinations(IEnumerable<IEventDestinationSource> sources) =>
        _byName = new(() =>
        {
            var byName = new Dictionary<string, IEventDestination>(StringComparer.Ordinal);
            foreach (var destination in sources.SelectMany(s => s.Create()))
            {
                if (!byName.TryAdd(destination.Name, destination))
                {
                    throw new InvalidOperationException($"Events: two destinations are named '{destination.Name}'; names must be unique.");
                }
            }

            return byName;
        });

    /// <summary>In configuration order within each kind.</summary>
    public IReadOnlyCollection<IEventDestination> All => (IReadOnlyCollection<IEventDestination>)_byName.Value.Values;

    public bool Any => _byName.Value.Count > 0;

    public IEventDestination? Find(string name) => _byName.Value.GetValueOrDefault(name);
}
