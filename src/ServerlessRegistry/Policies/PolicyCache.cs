namespace ServerlessRegistry.Policies;

/// <summary>
/// The rules and locks this instance enforces, re-read from <see cref="PolicyStore"/> so that a change made anywhere
/// takes effect everywhere within <see cref="MaxStaleness"/>. Nothing is read until the first write or run needs it, so
/// pulls and cold starts never pay for policies.
/// </summary>
/// <remarks>
/// <para>Thread-safe. Concurrent callers share one load. A failed load keeps serving the last set for at most
/// <see cref="MaxStaleness"/>, then the failure reaches the caller (refusing writes rather than ignoring rules).</para>
/// <para>A set younger than <see cref="RefreshAfter"/> is served as it is. Between that and <see cref="MaxStaleness"/> it is
/// still served while one background load replaces it, so a busy instance never waits for storage. Older (or never
/// loaded, or invalidated), callers wait for a load. A set's age counts from when its load started, so the bound holds
/// however long the load took.</para>
/// </remarks>
internal sealed class PolicyCache(PolicyStore store, TimeProvider time)
{
    /// <summary>The longest a change takes to reach every instance.</summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(60);

    /// <summary>From this age on, a call starts a background re-read while the cached set is still served.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(30);

    // Between background attempts while storage fails, so a busy instance does not re-read on every call.
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly Lock _gate = new();
    private Loaded? _loaded;
    private Task<Loaded>? _loading;
    private DateTimeOffset? _failedAt;

    // Bumped by Invalidate, so a load that started before a change cannot install the set it read.
    private long _generation;

    /// <summary>The current set: from memory when fresh enough, else re-read.</summary>
    /// <remarks>Cancelling <paramref name="ct"/> abandons this caller's wait, not the shared load.</remarks>
    public ValueTask<PolicySet> CurrentAsync(CancellationToken ct)
    {
        Task<Loaded> loading;
        lock (_gate)
        {
            var age = _loaded is null ? TimeSpan.MaxValue : time.GetUtcNow() - _loaded.StartedAt;
            if (_loaded is not null && age < MaxStaleness)
            {
                if (age >= RefreshAfter && (_failedAt is not { } failed || time.GetUtcNow() - failed >= RetryAfterFailure))
                {
                    // Nobody awaits a background load; its failure is kept in _failedAt, not thrown.
                    _ = StartLoadLocked().ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                return ValueTask.FromResult(_loaded.Set);
            }

            loading = StartLoadLocked();
        }

        return new ValueTask<PolicySet>(AwaitAsync(loading, ct));
    }

    /// <summary>Forgets the set, so the next call reads storage (after this process changed a rule).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _generation++;
            _loaded = null;
            _loading = null;
            _failedAt = null;
        }
    }

    private static async Task<PolicySet> AwaitAsync(Task<Loaded> loading, CancellationToken ct) => (await loading.WaitAsync(ct).ConfigureAwait(false)).Set;

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
            var set = await Task.Run(() => store.LoadAsync(CancellationToken.None)).ConfigureAwait(false);
            var loaded = new Loaded(set, startedAt);
            lock (_gate)
            {
                if (generation == _generation)
                {
                    _loaded = loaded;
                    _loading = null;
                    _failedAt = null;
                }
            }

            return loaded;
        }
        catch
        {
            // The last good set stays in place until it passes MaxStaleness; then callers wait for a load of their own
            // and see its failure.
            lock (_gate)
            {
                if (generation == _generation)
                {
                    _loading = null;
                    _failedAt = time.GetUtcNow();
                }
            }

            throw;
        }
    }

    private sealed record Loaded(PolicySet Set, DateTimeOffset StartedAt);
}
