using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Maintenance;

/// <summary>
/// Repair of listing summaries: the mark phase holds every row of the partition, so each kept manifest row whose
/// summary is absent (written before pushes recorded one) or incomplete (config not linked yet, as a mirror stores
/// manifests; a child pushed after its index; a storage error at push) is computed again as a push would
/// (ManifestSummaries), and written on the manifest row and its tag rows where it changed, each replaced on the ETag
/// read. A conflict means a push or delete changed the row meanwhile (a push writes its own summary), so it is left
/// alone. Absent summaries go first, images before indexes (an index sums children repaired just before); at most
/// <see cref="SummaryRepairLimit"/> per repository and run, so summaries that stay incomplete (a sparse index) cost
/// a bounded amount each run. Not in a dry run.
/// </summary>
internal sealed partial class GarbageCollector
{
    /// <summary>The most manifest summaries computed again per repository and run.</summary>
    public const int SummaryRepairLimit = 1000;

    private async Task BackfillSummariesAsync(Run run, List<TableRow> rows, HashSet<string> gone, CancellationToken ct)
    {
        if (run.Options.DryRun)
        {
            return;
        }

        var missing = rows.Where(r => r.RowKey.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal) && !gone.Contains(r.RowKey) &&
                                      !SummaryProperties.IsComplete(r))
            .OrderBy(r => SummaryProperties.HasSummary(r))
            .ThenBy(r => MediaTypes.IsIndex(ManifestBody.FromRow(r).MediaType ?? ""))
            .Take(SummaryRepairLimit)
            .ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var repository = StorageLayout.RepositoryFromKey(rows[0].PartitionKey);
        var links = rows.Where(r => r.RowKey.StartsWith(StorageLayout.BlobLinkPrefix, StringComparison.Ordinal) && !gone.Contains(r.RowKey))
            .ToDictionary(r => r.RowKey, StringComparer.Ordinal);
        var tags = rows.Where(r => r.RowKey.StartsWith(StorageLayout.TagPrefix, StringComparison.Ordinal))
            .ToLookup(r => TagRow.FromRow(r).Digest ?? "", StringComparer.Ordinal);
        foreach (var row in missing.OrderBy(r => MediaTypes.IsIndex(ManifestBody.FromRow(r).MediaType ?? "")))
        {
            var body = ManifestBody.FromRow(row);
            var bytes = body.Content ?? (body.Blob is { } blob ? await storage.Blobs.ReadAllAsync(blob, ct).ConfigureAwait(false) : null);
            ParsedManifest manifest;
            try
            {
                manifest = ParsedManifest.Parse(bytes ?? [], body.MediaType);
            }
            catch (RegistryException)
            {
                continue; // missing or unreadable content: nothing to summarize
            }

            var configLink = manifest.Config is { } config ? links.GetValueOrDefault(StorageLayout.BlobLinkKey(config.Digest)) : null;
            var (summary, labels) = await _summaries.ComputeAsync(repository, manifest, bytes, configLink, ct).ConfigureAwait(false);
            var digest = row.RowKey[StorageLayout.ManifestPrefix.Length..];
            var targets = tags[digest].Prepend(row).Where(t => !SummaryProperties.Records(t, summary)).ToList();
            foreach (var target in targets)
            {
                SummaryProperties.Write(target, summary);
                if (target == row)
                {
                    SummaryProperties.WriteLabels(row, labels);
                }

                try
                {
                    await storage.Metadata.ExecuteAsync(storage.Layout.RepositoriesTable, RowOperation.Replace(target, target.ETag ?? "*"), ct).ConfigureAwait(false);
                }
                catch (ConcurrencyException)
                {
                    // Re-pushed (with a summary) or deleted meanwhile.
                }
            }

            if (targets.Count > 0)
            {
                run.Report("manifest summaries filled", Interlocked.Increment(ref run.SummariesFilled));
            }
        }
    }
}
