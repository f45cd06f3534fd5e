using ServerlessRegistry.Hosting;

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
/// however long the load took. See <see cref="RefreshingValue{T}"/>.</para>
/// </remarks>
internal sealed class PolicyCache(PolicyStore store, TimeProvider time)
{
    /// <summary>The longest a change takes to reach every instance.</summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(60);

    /// <summary>From this age on, a call starts a background re-read while the cached set is still served.</summary>
    public static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(30);

    private readonly RefreshingValue<PolicySet> _set = new(store.LoadAsync, time, RefreshAfter, MaxStaleness);

    /// <summary>The current set: from memory when fresh enough, else re-read.</summary>
    /// <remarks>Cancelling <paramref name="ct"/> abandons this caller's wait, not the shared load.</remarks>
    public ValueTask<PolicySet> CurrentAsync(CancellationToken ct) => _set.CurrentAsync(ct);

    /// <summary>Forgets the set, so the next call reads storage (after this process changed a rule).</summary>
    public void Invalidate() => _set.Invalidate();
}
