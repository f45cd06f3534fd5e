namespace ServerlessRegistry.Hosting;

/// <summary>
/// A value read from storage and kept in memory, re-read so that a change made anywhere is seen within
/// <c>maxStaleness</c>, without making a busy caller wait for storage.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Concurrent callers share one load: at most one runs at a time (per generation, see
/// <see cref="Invalidate"/>). It runs off the caller's stack and is never cancelled by a caller, since others may be
/// waiting for it; a caller's token only abandons that caller's wait.</para>
/// <para>A value's age counts from when its load started, so the staleness bound holds however long the load took. A value
/// younger than <c>refreshAfter</c> is served as it is, lock-free. Between that and <c>maxStaleness</c> it is still served
/// while one background load replaces it. Older (or never loaded, or invalidated), it is not fresh: <see cref="Fresh"/>
/// answers null and <see cref="CurrentAsync"/> waits for a load.</para>
/// <para>A failed load keeps the last value in place (for <see cref="Last"/>, and for <see cref="Fresh"/> until it passes
/// <c>maxStaleness</c>) and is passed to <c>failed</c>. Background loads are not retried sooner than
/// <see cref="RetryAfterFailure"/> after a failure. A caller waiting for a load sees its failure thrown.</para>
/// </remarks>
/// <param name="load">Reads the value; called with <see cref="CancellationToken.None"/>.</param>
/// <param name="time">The clock ages are measured with.</param>
/// <param name="refreshAfter">From this age on, a read starts one background load while the value is still served.</param>
/// <param name="maxStaleness">From this age on, the value is no longer served as fresh.</param>
/// <param name="failed">Told of every failed load (to log it), whether or not a caller waits for it.</param>
internal sealed class RefreshingValue<T>(Func<CancellationToken, Task<T>> load, TimeProvider time, TimeSpan refreshAfter, TimeSpan maxStaleness,
    Action<Exception>? failed = null)
    where T : class
{
    /// <summary>The least time between background attempts while storage fails, so a busy instance does not re-read on every call.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private volatile Loaded? _loaded;
    private Task<Loaded>? _loading;
    private DateTimeOffset? _failedAt;
    private Exception? _failure;

    // Bumped by Invalidate, so a load that started before a change cannot install the value it read.
    private long _generation;

    /// <summary>The last value loaded, however old (null before the first load or after <see cref="Invalidate"/>). No I/O, never waits.</summary>
    public T? Last => _loaded?.Value;

    /// <summary>The value while younger than <c>maxStaleness</c>, else null; from <c>refreshAfter</c> on it starts one
    /// background load. No I/O on the caller's stack, never waits.</summary>
    public T? Fresh
    {
        get
        {
            // The common case, lock-free: one read of the value and the clock.
            if (_loaded is { } young && time.GetUtcNow() - young.StartedAt < refreshAfter)
            {
                return young.Value;
            }

            lock (_gate)
            {
                return FreshLocked();
            }
        }
    }

    /// <summary>The value when fresh (see <see cref="Fresh"/>), else the result of a load this caller waits for; that load's
    /// failure is thrown.</summary>
    /// <remarks>Cancelling <paramref name="ct"/> abandons this caller's wait, not the shared load.</remarks>
    public ValueTask<T> CurrentAsync(CancellationToken ct)
    {
        if (_loaded is { } young && time.GetUtcNow() - young.StartedAt < refreshAfter)
        {
            return ValueTask.FromResult(young.Value);
        }

        Task<Loaded> loading;
        lock (_gate)
        {
            if (FreshLocked() is { } fresh)
            {
                return ValueTask.FromResult(fresh);
            }

            loading = StartLoadLocked();
        }

        return new ValueTask<T>(AwaitAsync(loading, ct));
    }

    /// <summary>The value if younger than <paramref name="olderThan"/>, else the result of a load this caller waits for
    /// (joining one under way). Within <see cref="RetryAfterFailure"/> of a failed load, with none under way, that failure
    /// is thrown again rather than storage re-read.</summary>
    /// <remarks>Cancelling <paramref name="ct"/> abandons this caller's wait, not the shared load.</remarks>
    public Task<T> ReloadAsync(TimeSpan olderThan, CancellationToken ct)
    {
        Task<Loaded> loading;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_loaded is { } loaded && now - loaded.StartedAt < olderThan)
            {
                return Task.FromResult(loaded.Value);
            }

            if (_loading is null && _failure is { } failure && _failedAt is { } failedAt && now - failedAt < RetryAfterFailure)
            {
                return Task.FromException<T>(failure);
            }

            loading = StartLoadLocked();
        }

        return AwaitAsync(loading, ct);
    }

    /// <summary>Forgets the value and any failure, so the next read loads (after this process changed what is stored). A load
    /// under way does not install its result.</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _generation++;
            _loaded = null;
            _loading = null;
            _failedAt = null;
            _failure = null;
        }
    }

    private static async Task<T> AwaitAsync(Task<Loaded> loading, CancellationToken ct) => (await loading.WaitAsync(ct).ConfigureAwait(false)).Value;

    private T? FreshLocked()
    {
        var now = time.GetUtcNow();
        if (_loaded is not { } loaded || now - loaded.StartedAt >= maxStaleness)
        {
            return null;
        }

        if (now - loaded.StartedAt >= refreshAfter && (_failedAt is not { } failedAt || now - failedAt >= RetryAfterFailure))
        {
            // Nobody awaits a background load; its failure is kept in _failedAt (and told to `failed`), not thrown.
            _ = StartLoadLocked().ContinueWith(static t => t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return loaded.Value;
    }

    private Task<Loaded> StartLoadLocked()
    {
        if (_loading is { } running)
        {
            return running;
        }

        var loading = LoadAsync(_generation);
        // A load that finished synchronously has already installed its result and cleared the slot; keep it cleared.
        if (!loading.IsCompleted)
        {
            _loading = loading;
        }

        return loading;
    }

    private async Task<Loaded> LoadAsync(long generation)
    {
        var startedAt = time.GetUtcNow();
        try
        {
            // Off the caller's stack, and never cancelled by one caller: others may be waiting for the same load.
            var loaded = new Loaded(await Task.Run(() => load(CancellationToken.None)).ConfigureAwait(false), startedAt);
            lock (_gate)
            {
                if (generation == _generation)
                {
                    _loaded = loaded;
                    _loading = null;
                    _failedAt = null;
                    _failure = null;
                }
            }

            return loaded;
        }
        catch (Exception e)
        {
            failed?.Invoke(e);
            lock (_gate)
            {
                if (generation == _generation)
                {
                    _loading = null;
                    _failedAt = time.GetUtcNow();
                    _failure = e;
                }
            }

            throw;
        }
    }

    private sealed record Loaded(T Value, DateTimeOffset StartedAt);
}
