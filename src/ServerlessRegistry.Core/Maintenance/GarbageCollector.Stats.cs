using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Maintenance;

/// <summary>
/// Catalog statistics after a run. The mark phase already holds every row of every repository, so the statistics
/// cost no further reads: the catalog is read once before the mark (its ETags predate every row the mark reads) and
/// each row whose statistics changed is replaced on that ETag, 100 to a batch (one partition). A batch that conflicts
/// (a push's recount wrote meanwhile) is followed by a fresh recount of each of its repositories, awaited: the run
/// may be a CLI process that exits right after, so nothing is left to a background task.
/// Catalog rows are never added or removed here: a repository left without manifests keeps its listing, as before.
/// </summary>
internal sealed partial class GarbageCollector
{
    private async Task<List<TableRow>> ReadCatalogAsync(Run run, CancellationToken ct) =>
        run.Options.DryRun
            ? []
            : await storage.QueryAllAsync(storage.Layout.CatalogTable, new RowQuery { PartitionKey = StorageLayout.CatalogPartition }, int.MaxValue, ct)
                .ConfigureAwait(false);

    private async Task WriteStatsAsync(Run run, List<TableRow> catalog, CancellationToken ct)
    {
        var empty = RepositoryStats.Compute([]);
        var changed = new List<(string Name, RowOperation Write)>();
        foreach (var row in catalog)
        {
            var now = run.Stats.GetValueOrDefault(row.RowKey) ?? empty;
            if (CatalogStats.FromRow(row) == now && CatalogStats.HasStats(row))
            {
                continue;
            }

            var name = CatalogRow.FromRow(row).Name;
            var updated = new CatalogRow(name).ToRow();
            now.WriteTo(updated);
            changed.Add((name, RowOperation.Replace(updated, row.ETag ?? "*")));
        }

        foreach (var batch in changed.Chunk(BatchLimit))
        {
            try
            {
                await storage.Metadata.ExecuteBatchAsync(storage.Layout.CatalogTable, batch.Select(c => c.Write).ToList(), ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                var recounter = stats ?? new RepositoryStats(storage, NullLogger<RepositoryStats>.Instance);
                foreach (var (name, _) in batch)
                {
                    try
                    {
                        await recounter.RecountAsync(name, ct).ConfigureAwait(false);
                    }
                    catch (ConcurrencyException)
                    {
                        // Every attempt lost to another recount, and each of those counted newer state than this run.
                    }
                }
            }
        }

        run.Report("repository statistics written", changed.Count);
    }
}
