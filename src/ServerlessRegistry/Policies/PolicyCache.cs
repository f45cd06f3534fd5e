#pragma warning disable CS9113 // contract stub: the owner removes this line
namespace ServerlessRegistry.Policies;

/// <summary>
/// The rules and locks this instance enforces, re-read from <see cref="PolicyStore"/> so that a change made anywhere
/// takes effect everywhere within <see cref="MaxStaleness"/>. Nothing is read until the first write or run needs it, so
/// pulls and cold starts never pay for policies.
/// </summary>
/// <remarks>Thread-safe. Concurrent callers share one load. A failed load keeps serving the last set for at most
/// <see cref="MaxStaleness"/>, then the failure reaches the caller (refusing writes rather than ignoring rules).</remarks>
internal sealed class PolicyCache(PolicyStore store, TimeProvider time)
{
    /// <summary>The longest a change takes to reach every instance.</summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(60);

    /// <summary>The current set: from memory when fresh enough, else re-read.</summary>
    public ValueTask<PolicySet> CurrentAsync(CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Forgets the set, so the next call reads storage (after this process changed a rule).</summary>
    public void Invalidate() => throw new NotImplementedException();
}
