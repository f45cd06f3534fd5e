namespace ServerlessRegistry.Events;

/// <summary>
/// Wakes the standalone delivery loop when this process queued events, so a local delivery starts at once instead of at
/// the next poll. Notifications coalesce; a missed one costs at most one poll interval. Thread-safe.
/// </summary>
internal sealed class EventSignal : IDisposable
{
    private readonly SemaphoreSlim _semaphore = new(0, 1);
    private readonly Lock _lock = new();

    public void Notify()
    {
        lock (_lock)
        {
            if (_semaphore.CurrentCount == 0)
            {
                _semaphore.Release();
            }
        }
    }

    public void Dispose() => _semaphore.Dispose();

    /// <summary>True when notified within <paramref name="timeout"/>.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}
