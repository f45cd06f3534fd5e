using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Maintenance;

/// <summary>
/// Backfill of listing summaries for manifests pushed before pushes recorded them: the mark phase holds every row of
/// the partition, so each kept manifest row without a summary gets one computed as a push would (ManifestSummaries),
/// written on the manifest row and its tag rows, each replaced on the ETag read. A conflict means a push or delete
/// changed the row meanwhile (a push writes its own summary), so it is left alone. Images go before indexes, so an
/// index sums children already summarized. Not in a dry run.
/// </summary>
internal sealed partial class GarbageCollector
{
    private async Task BackfillSummariesAsync(Run run, List<TableRow> rows, HashSet<string> gone, CancellationToken ct)
    {
        if (run.Options.DryRun)
        {
            return;
        }

        var missing = rows.Where(r => r.RowKey.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal) && !gone.Contains(r.RowKey) &&
                                      !SummaryProperties.HasSummary(r))
            .OrderBy(r => MediaTypes.IsIndex(ManifestBody.FromRow(r).MediaType ?? ""))
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
        foreach (var row in missing)
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
            SummaryProperties.Write(row, summary);
            SummaryProperties.WriteLabels(row, labels);
            var digest = row.RowKey[StorageLayout.ManifestPrefix.Length..];
            foreach (var target in tags[digest].Where(t => !SummaryProperties.HasSummary(t)).Prepend(row))
            {
                if (target != row)
                {
                    SummaryProperties.Write(target, summary);
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

            run.Report("manifest summaries filled", Interlocked.Increment(ref run.SummariesFilled));
        }
    }
}
