namespace ServerlessRegistry.Testing;

/// <summary>
/// A clock tests move by hand, so ages (grace periods, upload expiry) pass without waiting. Starts at the real time,
/// so blob LastModified values that the storage emulator stamps stay comparable. Thread-safe.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward; real time keeps flowing underneath.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
