using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies.Retention;

internal static partial class RetentionPlanner
{
    /// <summary>A pull this recent makes a deletion's verdict warn that clients pulling by digest will break.</summary>
    public static readonly TimeSpan RecentPull = TimeSpan.FromDays(30);

    /// <summary>
    /// Which manifests go. Candidates: manifests whose every tag this run deletes; untagged manifests that a covering
    /// rule's UntaggedAfter has expired (pushed and last pulled longer ago); then, taken along, the untagged index
    /// children and untagged referrers of a candidate. Kept, whatever else holds: everything reachable from a kept
    /// manifest (any manifest not a candidate, or locked, or pushed within the grace period) through index children,
    /// referrers, and the subject a kept referrer refers to. So a referrer goes with its deleted subject unless it is
    /// kept itself (by a kept tag, a lock or its youth), and then it keeps its subject.
    /// </summary>
    private static async Task<List<PlannedManifest>> PlanManifestsAsync(RetentionInput input, Partition partition, List<PlannedTag> doomedTags,
        ItemLock? repositoryLock, List<RetentionVerdict> kept, Func<TableRow, CancellationToken, Task<Core.Manifests.ManifestRefs?>> readRefs, CancellationToken ct)
    {
        var manifests = partition.Manifests;
        var tagged = partition.Tags.Select(t => Core.Storage.Rows.TagRow.FromRow(t).Digest!).ToHashSet(StringComparer.Ordinal);
        var doomedTagKeys = doomedTags.Select(t => t.Row.RowKey).ToHashSet(StringComparer.Ordinal);
        var keptTagged = partition.Tags.Where(t => !doomedTagKeys.Contains(t.RowKey)).Select(t => Core.Storage.Rows.TagRow.FromRow(t).Digest!).ToHashSet(StringComparer.Ordinal);
        var bySubject = manifests.Where(m => m.Value.Manifest.Subject is not null).ToLookup(m => m.Value.Manifest.Subject!, m => m.Key, StringComparer.Ordinal);
        var refs = new Dictionary<string, ManifestRefs?>(StringComparer.Ordinal);
        async Task<IReadOnlyList<string>?> ChildrenAsync(string digest)
        {
            var (row, manifest) = manifests[digest];
            if (!MediaTypes.IsIndex(manifest.Body.MediaType ?? ""))
            {
                return [];
            }

            if (!refs.TryGetValue(digest, out var read))
            {
                refs[digest] = read = await readRefs(row, ct).ConfigureAwait(false);
            }

            return read?.Children;
        }

        // Candidates and their reasons: first the manifests this run untags or whose untagged time is up, then what they take along.
        var reasons = new Dictionary<string, List<RetentionVerdict>>(StringComparer.Ordinal);
        var parents = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (digest, (_, manifest)) in manifests)
        {
            if (tagged.Contains(digest))
            {
                if (!keptTagged.Contains(digest))
                {
                    var lost = doomedTags.Where(t => t.Digest == digest).ToList();
                    var names = string.Join(", ", lost.Select(t => t.Tag));
                    reasons[digest] = [.. lost.SelectMany(t => t.Verdicts).Select(v => v.Rule).Distinct(StringComparer.Ordinal)
                        .Select(rule => ManifestVerdict(input, digest, rule, $"every tag of it is deleted ({names})"))];
                    order.Add(digest);
                }

                continue;
            }

            var pulled = input.Pulls.TryGetValue(digest, out var at) ? at : (DateTimeOffset?)null;
            var pushed = manifest.PushedAt ?? DateTimeOffset.MinValue;
            if (input.Rules.FirstOrDefault(r => r.UntaggedAfter is { } ttl && pushed <= input.Now - ttl && (pulled ?? pushed) <= input.Now - ttl) is { } expired)
            {
                var pull = pulled is { } p ? $"last pulled {RetentionCriteria.Day(p)}" : "never pulled";
                reasons[digest] = [ManifestVerdict(input, digest, expired.Name,
                    $"untagged, pushed {RetentionCriteria.Day(pushed)}, {pull}: over {RetentionCriteria.Period(expired.UntaggedAfter!.Value)} ago")];
                order.Add(digest);
            }
        }

        for (var i = 0; i < order.Count; i++)
        {
            var parent = order[i];
            // An unreadable index takes nothing along: its children stay, untagged, as they would without retention.
            var children = await ChildrenAsync(parent).ConfigureAwait(false);
            var dependents = (children ?? []).Select(c => (c, "child of index", true)).Concat(bySubject[parent].Select(r => (r, "referrer of", false)));
            foreach (var (dependent, relation, isChild) in dependents.Where(d => manifests.ContainsKey(d.Item1)))
            {
                // A tagged child too: an index that a concurrent push keeps keeps it, so it waits for the index. A referrer
                // instead goes in one batch with its subject (PlannedManifest.Subject), as either may keep the other.
                if (isChild)
                {
                    parents.TryAdd(dependent, []);
                    parents[dependent].Add(parent);
                }

                if (!tagged.Contains(dependent) && !reasons.ContainsKey(dependent))
                {
                    reasons[dependent] = [.. reasons[parent].Select(v => v.Rule).Distinct(StringComparer.Ordinal)
                        .Select(rule => ManifestVerdict(input, dependent, rule, $"{relation} {parent}, which is deleted"))];
                    order.Add(dependent);
                }
            }
        }

        // Kept: every manifest not a candidate, and candidates retention may not touch; then what they reach.
        var roots = new Queue<string>();
        foreach (var digest in manifests.Keys)
        {
            if (!reasons.ContainsKey(digest))
            {
                roots.Enqueue(digest);
            }
            else if (ManifestProtection(input, digest, manifests[digest].Manifest.PushedAt, repositoryLock) is { } protection)
            {
                kept.Add(ManifestVerdict(input, digest, Protected, protection) with { Deleted = false });
                roots.Enqueue(digest);
            }
        }

        var reached = new HashSet<string>(StringComparer.Ordinal);
        var unknownChildren = false;
        while (roots.TryDequeue(out var digest))
        {
            if (!reached.Add(digest) || !manifests.TryGetValue(digest, out var entry))
            {
                continue;
            }

            var children = await ChildrenAsync(digest).ConfigureAwait(false);
            unknownChildren |= children is null;
            foreach (var next in bySubject[digest].Concat(children ?? []))
            {
                roots.Enqueue(next);
            }

            if (entry.Manifest.Subject is { } subject)
            {
                roots.Enqueue(subject);
            }
        }

        // A kept index that cannot be read may name any untagged manifest as a child: keep them all rather than guess.
        var doomed = order.Where(d => !reached.Contains(d) && !(unknownChildren && !tagged.Contains(d))).ToHashSet(StringComparer.Ordinal);
        kept.AddRange(order.Where(d => !reached.Contains(d) && !doomed.Contains(d))
            .Select(d => ManifestVerdict(input, d, Protected, "an index in the repository could not be read") with { Deleted = false }));
        return [.. order.Where(doomed.Contains).Select(digest =>
        {
            var (row, manifest) = manifests[digest];
            var referrer = manifest.Subject is { } subject ? partition.Referrers.GetValueOrDefault(StorageLayout.ReferrerKey(subject, digest)) : null;
            var warning = PullWarning(input, digest);
            var verdicts = reasons[digest].Select(v => v with { Reason = v.Reason + warning }).ToList();
            var with = manifest.Subject is { } doomedSubject && doomed.Contains(doomedSubject) ? doomedSubject : null;
            return new PlannedManifest(row, referrer, digest, with, [.. (parents.GetValueOrDefault(digest) ?? []).Distinct(StringComparer.Ordinal)], verdicts);
        })];
    }

    private static string? ManifestProtection(RetentionInput input, string digest, DateTimeOffset? pushedAt, ItemLock? repositoryLock)
    {
        if (repositoryLock is not null)
        {
            return $"repository {input.Repository} is locked ({LockKind(repositoryLock)})";
        }

        if (input.Locks.FirstOrDefault(l => l.Target.Digest == digest && (l.NoWrite || l.NoDelete)) is { } manifestLock)
        {
            return $"manifest is locked ({LockKind(manifestLock)})";
        }

        return (pushedAt ?? DateTimeOffset.MinValue) > input.Now - input.GracePeriod
            ? $"pushed within the grace period ({RetentionCriteria.Period(input.GracePeriod)})"
            : null;
    }

    private static string PullWarning(RetentionInput input, string digest) =>
        !input.Pulls.TryGetValue(digest, out var pulled) ? ""
        : pulled > input.Now - RecentPull ? $"; last pulled {RetentionCriteria.Day(pulled)}: clients pulling it by digest will break"
        : $"; last pulled {RetentionCriteria.Day(pulled)}";

    private static RetentionVerdict ManifestVerdict(RetentionInput input, string digest, string rule, string reason) =>
        new(input.Repository, null, digest, true, rule, reason);
}
