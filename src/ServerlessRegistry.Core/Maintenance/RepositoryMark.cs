using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Maintenance;

/// <summary>The mark phase for one repository partition: which rows a sweep may delete.</summary>
/// <param name="Manifests">Manifest rows to delete, each with its referrer row when it has one (same batch).</param>
/// <param name="Links">Blob link rows no kept manifest references and no push touched within the grace period.</param>
/// <param name="Waiting">Link rows no kept manifest references, kept only because they were linked within the grace period.</param>
internal sealed record RepositoryPlan(IReadOnlyList<(TableRow Manifest, TableRow? Referrer)> Manifests, IReadOnlyList<TableRow> Links, IReadOnlyList<TableRow> Waiting)
{
    /// <summary>
    /// Marks one repository from a consistent-enough read of its partition. Reachable: tagged manifests; manifests
    /// pushed within the grace period; untagged manifests unless <see cref="MaintenanceOptions.DeleteUntagged"/>
    /// (but never an untagged referrer whose subject is not kept); then, to a fixed point, index children and
    /// referrers of reachable manifests. Links stay when a reachable manifest names them or they were linked within
    /// the grace period (a push in progress). Manifests <paramref name="kept"/> names (locked by a policy) are roots too.
    /// Pure: reads manifests through <paramref name="readRefs"/> only.
    /// </summary>
    public static async Task<RepositoryPlan> MarkAsync(
        IReadOnlyList<TableRow> rows, DateTimeOffset now, MaintenanceOptions options,
        Func<TableRow, CancellationToken, Task<ManifestRefs?>> readRefs, CancellationToken ct, Func<string, bool>? kept = null)
    {
        var cutoff = now - options.GracePeriod;
        var manifests = new Dictionary<string, TableRow>(StringComparer.Ordinal);
        var referrerRows = new Dictionary<string, TableRow>(StringComparer.Ordinal);
        var links = new List<TableRow>();
        var roots = new List<string>();
        foreach (var row in rows)
        {
            var key = row.RowKey;
            if (key.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal))
            {
                manifests[key[StorageLayout.ManifestPrefix.Length..]] = row;
            }
            else if (key.StartsWith(StorageLayout.TagPrefix, StringComparison.Ordinal) && TagRow.FromRow(row).Digest is { } tagged)
            {
                roots.Add(tagged);
            }
            else if (key.StartsWith(StorageLayout.BlobLinkPrefix, StringComparison.Ordinal))
            {
                links.Add(row);
            }
            else if (key.StartsWith(StorageLayout.ReferrerPrefix, StringComparison.Ordinal))
            {
                referrerRows[key] = row;
            }
        }

        var bySubject = manifests.Where(m => ManifestRow.FromRow(m.Value).Subject is not null)
            .ToLookup(m => ManifestRow.FromRow(m.Value).Subject!, m => m.Key, StringComparer.Ordinal);
        foreach (var (digest, row) in manifests)
        {
            var stored = ManifestRow.FromRow(row);
            var young = (stored.PushedAt ?? DateTimeOffset.MinValue) > cutoff;
            var untaggedKept = !options.DeleteUntagged && stored.Subject is null;
            if (young || untaggedKept || kept?.Invoke(digest) == true)
            {
                roots.Add(digest);
            }
        }

        var reached = new HashSet<string>(StringComparer.Ordinal);
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        var keepAllLinks = false;
        var queue = new Queue<string>(roots);
        while (queue.TryDequeue(out var digest))
        {
            if (!reached.Add(digest))
            {
                continue;
            }

            foreach (var referrer in bySubject[digest])
            {
                queue.Enqueue(referrer);
            }

            if (!manifests.TryGetValue(digest, out var row))
            {
                continue; // a tag left without its manifest row: nothing to follow
            }

            var refs = await readRefs(row, ct).ConfigureAwait(false);
            if (refs is null)
            {
                keepAllLinks = true;
                continue;
            }

            referenced.UnionWith(refs.Blobs);
            foreach (var child in refs.Children)
            {
                queue.Enqueue(child);
            }
        }

        var doomed = manifests.Where(m => !reached.Contains(m.Key)).Select(m =>
        {
            var subject = ManifestRow.FromRow(m.Value).Subject;
            var referrer = subject is null ? null : referrerRows.GetValueOrDefault(StorageLayout.ReferrerKey(subject, m.Key));
            return (m.Value, referrer);
        }).ToList();
        var unreferenced = links.Where(l => !keepAllLinks && !referenced.Contains(l.RowKey[StorageLayout.BlobLinkPrefix.Length..]))
            .ToLookup(l => (BlobLinkRow.FromRow(l).LinkedAt ?? DateTimeOffset.MinValue) <= cutoff);
        return new RepositoryPlan(doomed, [.. unreferenced[true]], [.. unreferenced[false]]);
    }
}
