#pragma warning disable CS9113 // contract stub: the owner removes this line
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies;

/// <summary>
/// Reads and writes rules and locks (<see cref="PolicyLayout"/>). Writes are single-row upserts and deletes, idempotent;
/// two operators changing the same rule at once: the last write wins. Other instances see a change within
/// <see cref="PolicyCache.MaxStaleness"/>.
/// </summary>
internal sealed class PolicyStore(RegistryStorage storage, TimeProvider time)
{
    /// <summary>Every rule and lock: two partition queries.</summary>
    public Task<PolicySet> LoadAsync(CancellationToken ct) => throw new NotImplementedException();

    /// <summary>
    /// Creates or replaces the rule named by <paramref name="rule"/> (a <see cref="RetentionRule"/>, <see cref="ImmutableRule"/>
    /// or <see cref="QuotaRule"/>). Refuses (<see cref="ArgumentException"/>, one line) a name held by a rule of another
    /// kind, or fields that do not make sense.
    /// </summary>
    public Task PutAsync(object rule, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Deletes the rule of any kind named <paramref name="name"/>; false when there was none.</summary>
    public Task<bool> RemoveAsync(string name, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Creates or replaces the lock on its target.</summary>
    public Task SetLockAsync(ItemLock itemLock, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>Removes the lock on <paramref name="target"/>; false when there was none.</summary>
    public Task<bool> RemoveLockAsync(LockTarget target, CancellationToken ct) => throw new NotImplementedException();
}
