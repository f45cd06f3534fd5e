using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Policies.Quotas;

namespace ServerlessRegistry.Policies;

/// <summary>Immutable tags, locks and quotas on the push and delete paths (<see cref="IWriteGuard"/>).</summary>
/// <remarks>
/// <para>Every refusal is DENIED and names the rule or lock. Rules and locks come from <see cref="PolicyCache"/>, so a
/// change reaches this instance within <see cref="PolicyCache.MaxStaleness"/>; with no rule or lock over a repository
/// a write costs one cached lookup. Quotas cost an upload start a point read at most (none when this instance saw the
/// counter within seconds), and each blob or manifest linked a counter read and one batch (<see cref="ChargeAsync"/>;
/// <see cref="QuotaLedger"/> states the tolerance under concurrent pushes). An upload start is let through on a counter
/// value seconds old; if other instances filled the quota meanwhile, the commit's charge refuses instead.</para>
/// <para>Where the contract is silent: creating a tag is allowed under an immutability rule and under a tag lock (both
/// guard what a tag points at once it exists); re-pushing a tag to the digest it already names is never refused except
/// by a repository's no-write lock. A repository's no-write lock refuses everything that writes to it, deletes included.</para>
/// </remarks>
internal sealed class PolicyGuard(PolicyCache cache, QuotaLedger quotas) : IWriteGuard
{
    /// <summary>The set the last check read, for <see cref="CheckTagChanges"/> (which may do no I/O). Any recent set will do.</summary>
    private volatile PolicySet? _last;

    public async ValueTask CheckUploadAsync(string repository, string? owner, long? size, CancellationToken ct)
    {
        var set = await CurrentAsync(ct).ConfigureAwait(false);
        RefuseLockedRepository(set, repository, deleting: false);
        foreach (var rule in set.QuotasFor(repository))
        {
            // Usually no read: the value this instance saw moments ago (the push's previous blob). A refusal re-reads.
            var full = (long used) => used >= rule.LimitBytes || used + (size ?? 0) > rule.LimitBytes;
            if (full(await quotas.RecentUseAsync(rule, ct).ConfigureAwait(false)) && (await quotas.ReadAsync(rule, ct).ConfigureAwait(false)).UsedBytes is var used && full(used))
            {
                Fail.With(ErrorKind.Denied, QuotaText.Full(rule, used, size), QuotaText.Detail(rule, used, size));
            }
        }
    }

    public async ValueTask ChargeAsync(string repository, string digest, long size, CancellationToken ct)
    {
        var set = await CurrentAsync(ct).ConfigureAwait(false);
        RefuseLockedRepository(set, repository, deleting: false);
        foreach (var rule in set.QuotasFor(repository))
        {
            await quotas.ChargeAsync(rule, digest, size, ct).ConfigureAwait(false);
        }
    }

    public async ValueTask<bool> GuardsTagsAsync(string repository, bool deleting, CancellationToken ct)
    {
        var set = await CurrentAsync(ct).ConfigureAwait(false);
        RefuseLockedRepository(set, repository, deleting);
        return set.ImmutableFor(repository).Any() || set.LocksIn(repository).Any(l => l.Target.Tag is not null || l.Target.Digest is not null);
    }

    public void CheckTagChanges(string repository, IReadOnlyList<TagChange> changes)
    {
        var set = _last ?? throw new InvalidOperationException("CheckTagChanges runs after GuardsTagsAsync, which loads the rules it checks.");
        foreach (var change in changes)
        {
            if (change.From is null || change.From == change.To)
            {
                continue; // a new tag, or a re-push to the digest it names: nothing it guards changes
            }

            var deleting = change.To is null;
            var what = deleting ? "deleted" : "moved to another digest";
            foreach (var rule in set.ImmutableFor(repository).Where(r => Pattern.Matches(r.Tags, change.Tag)))
            {
                Fail.With(ErrorKind.Denied,
                    $"tag '{change.Tag}' of '{repository}' is immutable under rule '{rule.Name}' ({rule.Repositories}:{rule.Tags}) and cannot be {what}",
                    ("rule", rule.Name), ("tag", change.Tag));
            }

            foreach (var itemLock in set.LocksIn(repository))
            {
                var tagLocked = itemLock.Target.Tag == change.Tag && (itemLock.NoWrite || (deleting && itemLock.NoDelete));
                var manifestLocked = itemLock.Target.Digest == change.From && itemLock.NoWrite;
                if (tagLocked || manifestLocked)
                {
                    var reason = tagLocked ? "the tag is locked" : $"the manifest it names is locked against writes";
                    Fail.With(ErrorKind.Denied, $"tag '{change.Tag}' of '{repository}' cannot be {what}: {reason} ({Describe(itemLock)})",
                        ("lock", itemLock.Target.ToString()), ("tag", change.Tag));
                }
            }
        }
    }

    public async ValueTask CheckManifestDeleteAsync(string repository, string digest, CancellationToken ct)
    {
        var set = await CurrentAsync(ct).ConfigureAwait(false);
        RefuseLockedRepository(set, repository, deleting: true);
        if (set.LocksIn(repository).FirstOrDefault(l => l.Target.Digest == digest && (l.NoWrite || l.NoDelete)) is { } itemLock)
        {
            Fail.With(ErrorKind.Denied, $"manifest {digest} of '{repository}' cannot be deleted: it is locked ({Describe(itemLock)})",
                ("lock", itemLock.Target.ToString()), ("digest", digest));
        }
    }

    /// <summary>Locked manifests, and every manifest of a repository locked against writes or deletes.</summary>
    public async ValueTask<Func<string, bool>?> KeptManifestsAsync(string repository, CancellationToken ct)
    {
        var locks = (await CurrentAsync(ct).ConfigureAwait(false)).LocksIn(repository).Where(l => l.NoWrite || l.NoDelete).ToList();
        if (locks.Any(l => l.Target.Tag is null && l.Target.Digest is null))
        {
            return _ => true;
        }

        var digests = locks.Where(l => l.Target.Digest is not null).Select(l => l.Target.Digest!).ToHashSet(StringComparer.Ordinal);
        return digests.Count == 0 ? null : digests.Contains;
    }

    private async ValueTask<PolicySet> CurrentAsync(CancellationToken ct) => _last = await cache.CurrentAsync(ct).ConfigureAwait(false);

    /// <summary>A repository's own lock: no-write refuses every write and delete in it, no-delete every delete.</summary>
    private static void RefuseLockedRepository(PolicySet set, string repository, bool deleting)
    {
        if (set.Locks.Count == 0)
        {
            return;
        }

        var itemLock = set.LocksIn(repository).FirstOrDefault(l => l.Target.Tag is null && l.Target.Digest is null && (l.NoWrite || (deleting && l.NoDelete)));
        if (itemLock is not null)
        {
            Fail.With(ErrorKind.Denied,
                $"repository '{repository}' is locked against {(itemLock.NoWrite ? "writes" : "deletes")} ({Describe(itemLock)}); nothing in it can be {(deleting ? "deleted" : "pushed")}",
                ("lock", itemLock.Target.ToString()));
        }
    }

    private static string Describe(ItemLock itemLock) =>
        $"lock on {itemLock.Target}: {(itemLock.NoWrite && itemLock.NoDelete ? "no-write, no-delete" : itemLock.NoWrite ? "no-write" : "no-delete")}";
}
