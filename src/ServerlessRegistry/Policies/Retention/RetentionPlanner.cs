using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>Everything retention decides one repository from: its partition as read, the rules and locks over it, pull times, and the clock.</summary>
/// <param name="Rows">The repository's tag ("t:"), manifest ("m:") and referrer ("r:") rows, with their ETags; other rows are ignored.</param>
/// <param name="Pulls">Digest → last pull (PullRecorder.ReadAsync); absent: never pulled.</param>
internal sealed record RetentionInput(
    string Repository, IReadOnlyList<TableRow> Rows, IReadOnlyList<RetentionRule> Rules, IReadOnlyDictionary<string, DateTimeOffset> Pulls,
    IReadOnlyList<ItemLock> Locks, IReadOnlyList<ImmutableRule> Immutable, DateTimeOffset Now, TimeSpan GracePeriod)
{
    public static RetentionInput For(PolicySet policies, string repository, IReadOnlyList<TableRow> rows, IReadOnlyDictionary<string, DateTimeOffset> pulls,
        DateTimeOffset now, TimeSpan gracePeriod) =>
        new(repository, rows, [.. policies.RetentionFor(repository)], pulls, [.. policies.LocksIn(repository)], [.. policies.ImmutableFor(repository)], now, gracePeriod);
}

/// <summary>A tag row to delete on the ETag read, with one verdict per rule in whose scope it is.</summary>
internal sealed record PlannedTag(TableRow Row, string Tag, string Digest, IReadOnlyList<RetentionVerdict> Verdicts);

/// <summary>
/// A manifest row to delete on the ETag read, together with its own referrer row. <paramref name="Subject"/>: the doomed
/// manifest it refers to; the two are deleted in one atomic batch, since a kept referrer keeps its subject and a kept
/// subject its referrers. <paramref name="After"/>: the doomed indexes it is a child of (tagged or not); it is deleted
/// only once they are, so an index kept by a concurrent push keeps it too.
/// </summary>
internal sealed record PlannedManifest(
    TableRow Row, TableRow? Referrer, string Digest, string? Subject, IReadOnlyList<string> After, IReadOnlyList<RetentionVerdict> Verdicts);

/// <summary>What one repository loses: tags first, then manifests, each with its subject and after its indexes (<see cref="PlannedManifest"/>).</summary>
internal sealed record RetentionPlan(string Repository, int TagsChecked, IReadOnlyList<PlannedTag> Tags, IReadOnlyList<PlannedManifest> Manifests, IReadOnlyList<RetentionVerdict> Kept);

/// <summary>
/// Decides what retention deletes in one repository. Tags: a tag no rule's scope covers is kept; a tag in scope is kept
/// when any rule covering it keeps it (<see cref="RetentionCriteria"/>); a tag is never deleted when pushed within the grace
/// period, immutable, locked, pointing at a manifest locked against writes, or in a locked repository. Manifests: see
/// <see cref="PlanManifestsAsync"/>.
/// </summary>
/// <remarks>Pure: reads index manifests through <c>readRefs</c> only (as garbage collection's mark does), and never writes.</remarks>
internal static partial class RetentionPlanner
{
    /// <summary>Names the protections in kept verdicts (the rule column of a tag or manifest no rule could delete).</summary>
    public const string Protected = "(protected)";

    public static async Task<RetentionPlan> PlanAsync(RetentionInput input, Func<TableRow, CancellationToken, Task<ManifestRefs?>> readRefs, CancellationToken ct)
    {
        var partition = Partition.Read(input.Rows);
        if (input.Rules.Count == 0)
        {
            return new RetentionPlan(input.Repository, partition.Tags.Count, [], [], []);
        }

        var facts = partition.Tags.Select(t => Facts(t, input.Pulls)).ToList();
        var judged = input.Rules.Select(rule => (rule, verdicts: RetentionCriteria.Judge(rule, RetentionCriteria.Scope(rule, facts), input.Now))).ToList();
        var repositoryLock = input.Locks.FirstOrDefault(l => l.Target.Tag is null && l.Target.Digest is null && (l.NoWrite || l.NoDelete));
        var doomed = new List<PlannedTag>();
        var kept = new List<RetentionVerdict>();
        for (var i = 0; i < facts.Count; i++)
        {
            var tag = facts[i];
            var inScope = judged.Where(j => j.verdicts.ContainsKey(tag.Tag)).Select(j => (j.rule, verdict: j.verdicts[tag.Tag])).ToList();
            var keepers = inScope.Where(s => s.verdict.Kept).ToList();
            if (inScope.Count == 0 || keepers.Count > 0)
            {
                kept.AddRange(inScope.Count == 0
                    ? [Verdict(input, tag, false, "(no rule)", "no rule's tag patterns match")]
                    : keepers.Select(k => Verdict(input, tag, false, k.rule.Name, k.verdict.Reason)));
                continue;
            }

            if (Protection(input, tag, repositoryLock) is { } protection)
            {
                kept.Add(Verdict(input, tag, false, Protected, protection));
                continue;
            }

            doomed.Add(new PlannedTag(partition.Tags[i], tag.Tag, tag.Digest, [.. inScope.Select(s => Verdict(input, tag, true, s.rule.Name, s.verdict.Reason))]));
        }

        var manifests = await PlanManifestsAsync(input, partition, doomed, repositoryLock, kept, readRefs, ct).ConfigureAwait(false);
        return new RetentionPlan(input.Repository, facts.Count, doomed, manifests, kept);
    }

    /// <summary>Why a tag no rule keeps must stay anyway, or null.</summary>
    private static string? Protection(RetentionInput input, TagFacts tag, ItemLock? repositoryLock)
    {
        if (repositoryLock is not null)
        {
            return $"repository {input.Repository} is locked ({LockKind(repositoryLock)})";
        }

        if (tag.PushedAt > input.Now - input.GracePeriod)
        {
            return $"pushed within the grace period ({RetentionCriteria.Period(input.GracePeriod)})";
        }

        if (input.Immutable.FirstOrDefault(r => Pattern.Matches(r.Tags, tag.Tag)) is { } immutable)
        {
            return $"immutable by rule '{immutable.Name}'";
        }

        if (input.Locks.FirstOrDefault(l => l.Target.Tag == tag.Tag && (l.NoWrite || l.NoDelete)) is { } tagLock)
        {
            return $"tag is locked ({LockKind(tagLock)})";
        }

        return input.Locks.FirstOrDefault(l => l.Target.Digest == tag.Digest && l.NoWrite) is { } manifestLock
            ? $"its manifest is locked ({LockKind(manifestLock)})"
            : null;
    }

    private static string LockKind(ItemLock itemLock) => itemLock.NoWrite ? "no-write" : "no-delete";

    private static TagFacts Facts(TableRow row, IReadOnlyDictionary<string, DateTimeOffset> pulls)
    {
        var tag = TagRow.FromRow(row);
        var digest = tag.Digest ?? "";
        return new TagFacts(row.RowKey[StorageLayout.TagPrefix.Length..], digest, tag.PushedAt ?? DateTimeOffset.MinValue,
            pulls.TryGetValue(digest, out var pulled) ? pulled : null);
    }

    private static RetentionVerdict Verdict(RetentionInput input, TagFacts tag, bool deleted, string rule, string reason) =>
        new(input.Repository, tag.Tag, tag.Digest, deleted, rule, reason);

    /// <summary>One repository's rows, sorted by kind.</summary>
    private sealed class Partition
    {
        public List<TableRow> Tags { get; } = [];
        public Dictionary<string, (TableRow Row, ManifestRow Manifest)> Manifests { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, TableRow> Referrers { get; } = new(StringComparer.Ordinal);

        public static Partition Read(IReadOnlyList<TableRow> rows)
        {
            var partition = new Partition();
            foreach (var row in rows)
            {
                var key = row.RowKey;
                if (key.StartsWith(StorageLayout.TagPrefix, StringComparison.Ordinal) && TagRow.FromRow(row).Digest is not null)
                {
                    partition.Tags.Add(row);
                }
                else if (key.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal))
                {
                    partition.Manifests[key[StorageLayout.ManifestPrefix.Length..]] = (row, ManifestRow.FromRow(row));
                }
                else if (key.StartsWith(StorageLayout.ReferrerPrefix, StringComparison.Ordinal))
                {
                    partition.Referrers[key] = row;
                }
            }

            return partition;
        }
    }
}
