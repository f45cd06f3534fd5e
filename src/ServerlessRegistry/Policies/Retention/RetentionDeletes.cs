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
/// (a push rewrites the manifest row, so its ETag changes). A manifest whose tag could not be deleted stays, and so does
/// everything that would have gone with a manifest that stays (its untagged children and referrers). Batches hold at most
/// 100 rows; a failed batch is retried group by group so one conflict keeps only its own rows.
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

        // In waves, parents before what they take along (whatever the plan's order): a manifest whose parent stays, stays.
        var planned = plan.Manifests.Select(m => m.Digest).ToHashSet(StringComparer.Ordinal);
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        var kept = plan.Manifests.Where(m => untouchable.Contains(m.Digest)).Select(m => m.Digest).ToHashSet(StringComparer.Ordinal);
        var pending = plan.Manifests.Where(m => !kept.Contains(m.Digest)).ToList();
        var manifests = new List<PlannedManifest>();
        while (pending.Count > 0)
        {
            var blocked = pending.Where(m => m.After.Any(a => kept.Contains(a) || !planned.Contains(a))).ToList();
            var ready = pending.Where(m => !blocked.Contains(m) && m.After.All(deleted.Contains)).ToList();
            if (blocked.Count == 0 && ready.Count == 0)
            {
                break; // no order exists (cannot happen with digests): keep the rest
            }

            kept.UnionWith(blocked.Select(m => m.Digest));
            var done = await DeleteAsync(ready.Select(m => (m, m.Referrer is null ? new[] { Delete(m.Row) } : [Delete(m.Row), Delete(m.Referrer)])),
                () => conflicts++, ct).ConfigureAwait(false);
            manifests.AddRange(done);
            deleted.UnionWith(done.Select(m => m.Digest));
            kept.UnionWith(ready.Except(done).Select(m => m.Digest));
            pending.RemoveAll(m => blocked.Contains(m) || ready.Contains(m));
        }

        return new RetentionOutcome(tags, manifests, conflicts);
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

    private static RowOperation Delete(TableRow row) => RowOperation.Delete(row.PartitionKey, row.RowKey, row.ETag ?? "*");
}
