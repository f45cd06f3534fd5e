using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>What a plan's deletes achieved: the tags and manifests deleted, and how many a concurrent write kept.</summary>
internal sealed record RetentionOutcome(IReadOnlyList<PlannedTag> Tags, IReadOnlyList<PlannedManifest> Manifests, long Conflicts);

/// <summary>
/// Carries out one repository's plan the way garbage collection sweeps: every row is deleted on the ETag it was read with,
/// tag rows before the manifest rows they copy, and a manifest together with its referrer row in one batch.
/// </summary>
/// <remarks>
/// A delete whose condition fails keeps its row: the tag was moved or re-pushed, or the manifest re-pushed or re-tagged
/// (a push rewrites the manifest row, so its ETag changes). Manifests go in groups: a subject with the referrers that go
/// with it (and theirs), deleted in one atomic batch, so if any of them changed none is deleted (a kept referrer keeps
/// its subject; a kept subject its referrers). A group goes only after every index it is a child of, so an index that
/// stays keeps its children. A group over one batch (100 rows) is deleted referrers first and a subject only once all its
/// referrers are gone, so a referrer is never left without its subject. Batches are retried group by group when one fails,
/// so one conflict keeps only its own group and what depends on it.
/// </remarks>
internal sealed class RetentionDeletes(RegistryStorage storage)
{
    private const int BatchLimit = 100;

    /// <summary>A dry run: everything planned counts as deleted, nothing is written.</summary>
    public static RetentionOutcome Dry(RetentionPlan plan) => new(plan.Tags, plan.Manifests, 0);

    public async Task<RetentionOutcome> ApplyAsync(RetentionPlan plan, CancellationToken ct)
    {
        long conflicts = 0;
        var tags = await DeleteAsync(plan.Tags.Select(t => (t, new[] { Delete(t.Row) })), () => conflicts++, ct).ConfigureAwait(false);
        var untouchable = plan.Tags.Except(tags).Select(t => t.Digest).ToHashSet(StringComparer.Ordinal);

        // In waves: a unit goes once every unit it waits for is gone; one that waits for a kept manifest is kept.
        var planned = plan.Manifests.Select(m => m.Digest).ToHashSet(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        var pending = Units(plan.Manifests, untouchable, kept);
        var manifests = new List<PlannedManifest>();
        while (pending.Count > 0)
        {
            var blocked = pending.Where(u => u.After.Any(a => kept.Contains(a) || !planned.Contains(a))).ToList();
            var ready = pending.Where(u => !blocked.Contains(u) && u.After.All(deleted.Contains)).ToList();
            if (blocked.Count == 0 && ready.Count == 0)
            {
                break; // no order exists (cannot happen with digests): keep the rest
            }

            kept.UnionWith(blocked.SelectMany(u => u.Members).Select(m => m.Digest));
            var done = (await DeleteAsync(ready.Select(u => (u, u.Members.SelectMany(Deletes).ToArray())), () => conflicts++, ct).ConfigureAwait(false))
                .SelectMany(u => u.Members).ToList();
            manifests.AddRange(done);
            deleted.UnionWith(done.Select(m => m.Digest));
            kept.UnionWith(ready.SelectMany(u => u.Members).Select(m => m.Digest).Where(d => !deleted.Contains(d)));
            pending.RemoveAll(u => blocked.Contains(u) || ready.Contains(u));
        }

        return new RetentionOutcome(tags, manifests, conflicts);
    }

    /// <summary>
    /// The plan's manifests grouped by subject (a referrer with the subject it goes with), each group one unit waiting for
    /// the indexes outside it that list a member; a group too large for a batch becomes one unit per manifest, a subject
    /// waiting for its referrers. A group with a member whose tag could not be deleted is kept whole (added to <paramref name="kept"/>).
    /// </summary>
    private static List<Unit> Units(IReadOnlyList<PlannedManifest> manifests, HashSet<string> untouchable, HashSet<string> kept)
    {
        var byDigest = manifests.ToDictionary(m => m.Digest, StringComparer.Ordinal);
        string Root(PlannedManifest manifest)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal) { manifest.Digest };
            while (manifest.Subject is { } subject && byDigest.TryGetValue(subject, out var next) && seen.Add(subject))
            {
                manifest = next;
            }

            return manifest.Digest;
        }

        var units = new List<Unit>();
        foreach (var group in manifests.GroupBy(Root, StringComparer.Ordinal))
        {
            var members = group.ToList();
            var inside = members.Select(m => m.Digest).ToHashSet(StringComparer.Ordinal);
            if (members.Any(m => untouchable.Contains(m.Digest)))
            {
                kept.UnionWith(inside);
                continue;
            }

            var after = members.SelectMany(m => m.After).Where(a => !inside.Contains(a)).Distinct(StringComparer.Ordinal).ToList();
            if (members.Sum(m => Deletes(m).Length) <= BatchLimit)
            {
                units.Add(new Unit(members, after));
            }
            else
            {
                units.AddRange(members.Select(m => new Unit([m], [.. after, .. members.Where(r => r.Subject == m.Digest).Select(r => r.Digest)])));
            }
        }

        return units;
    }

    /// <summary>Deletes groups of rows of one partition, each group atomically; returns the items whose groups were deleted.</summary>
    private async Task<List<T>> DeleteAsync<T>(IEnumerable<(T Item, RowOperation[] Group)> groups, Action conflict, CancellationToken ct)
    {
        var done = new List<T>();
        var batch = new List<(T Item, RowOperation[] Group)>();
        foreach (var group in groups.Select(g => ((T Item, RowOperation[] Group)?)g).Append(null))
        {
            if (group is { } next && batch.Sum(g => g.Group.Length) + next.Group.Length <= BatchLimit)
            {
                batch.Add(next);
                continue;
            }

            if (batch.Count > 0)
            {
                try
                {
                    await storage.Metadata.ExecuteBatchAsync(storage.Layout.RepositoriesTable, [.. batch.SelectMany(g => g.Group)], ct).ConfigureAwait(false);
                    done.AddRange(batch.Select(g => g.Item));
                }
                catch (ConcurrencyException)
                {
                    foreach (var single in batch)
                    {
                        try
                        {
                            await storage.Metadata.ExecuteBatchAsync(storage.Layout.RepositoriesTable, single.Group, ct).ConfigureAwait(false);
                            done.Add(single.Item);
                        }
                        catch (ConcurrencyException)
                        {
                            conflict();
                        }
                    }
                }
            }

            batch = group is { } first ? [first] : [];
        }

        return done;
    }

    private static RowOperation[] Deletes(PlannedManifest manifest) =>
        manifest.Referrer is null ? [Delete(manifest.Row)] : [Delete(manifest.Row), Delete(manifest.Referrer)];

    private static RowOperation Delete(TableRow row) => RowOperation.Delete(row.PartitionKey, row.RowKey, row.ETag ?? "*");

    /// <summary>Manifests deleted in one batch, after <paramref name="After"/> (digests outside it) are gone.</summary>
    private sealed record Unit(IReadOnlyList<PlannedManifest> Members, IReadOnlyList<string> After);
}
