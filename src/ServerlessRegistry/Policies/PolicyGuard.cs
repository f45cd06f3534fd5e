#pragma warning disable CS9113 // contract stub: the owner removes this line
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Policies.Quotas;

namespace ServerlessRegistry.Policies;

/// <summary>Immutable tags, locks and quotas on the push and delete paths (<see cref="IWriteGuard"/>).</summary>
internal sealed class PolicyGuard(PolicyCache cache, QuotaLedger quotas) : IWriteGuard
{
    public ValueTask CheckUploadAsync(string repository, string? owner, long? size, CancellationToken ct) => throw new NotImplementedException();

    public ValueTask ChargeAsync(string repository, string digest, long size, CancellationToken ct) => throw new NotImplementedException();

    public ValueTask<bool> GuardsTagsAsync(string repository, bool deleting, CancellationToken ct) => throw new NotImplementedException();

    public void CheckTagChanges(string repository, IReadOnlyList<TagChange> changes) => throw new NotImplementedException();

    public ValueTask CheckManifestDeleteAsync(string repository, string digest, CancellationToken ct) => throw new NotImplementedException();
}
