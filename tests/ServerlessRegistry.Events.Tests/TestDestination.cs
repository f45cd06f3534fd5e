namespace ServerlessRegistry.Events.Tests;

/// <summary>A destination in the test process: counts its deliveries and fails (or throws in Accepts) when told to.</summary>
internal sealed class TestDestination(string name, string? error = null, bool acceptsThrows = false) : IEventDestination
{
    private int _deliveries;

    public string Name { get; } = name;

    public int Deliveries => Volatile.Read(ref _deliveries);

    public bool Accepts(RegistryEvent e) => acceptsThrows ? throw new InvalidOperationException("a defect in Accepts") : true;

    public Task DeliverAsync(IReadOnlyList<RegistryEvent> events, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _deliveries);
        return error is null ? Task.CompletedTask : throw new DeliveryException(error);
    }
}

/// <summary>Hands a fixed set of destinations to <see cref="EventDestinations"/>.</summary>
internal sealed class TestDestinationSource(params IEventDestination[] destinations) : IEventDestinationSource
{
    public IEnumerable<IEventDestination> Create() => destinations;
}
