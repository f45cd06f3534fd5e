using Microsoft.Extensions.Logging;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Keeps each repository's catalog row statistics (<see cref="CatalogStats"/>) fresh: after a push or delete,
/// <see cref="Changed"/> schedules a recount off the request path. Per repository at most one recount is in flight
/// in this process, and it runs once more if changes arrived meanwhile, so a burst of pushes costs two recounts.
/// </summary>
/// <remarks>
/// A recount reads the catalog row's ETag, then the repository's rows, and writes the row on that ETag, retrying on
/// conflict: a recount whose count may predate another's write cannot overwrite it, so concurrent recounts (in
/// any number of processes) converge on the newest state. Failures are logged and never reach a push.
/// </remarks>
internal sealed partial class RepositoryStats(RegistryStorage storage, ILogger<RepositoryStats> logger)
{
    private const int Attempts = 5;
    private const string DescriptionKey = "org.opencontainers.image.description";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Recount> _running = new(StringComparer.Ordinal);

    /// <summary>Schedules a recount of the repository. Returns at once; never throws.</summary>
    public void Changed(string repository)
    {
        lock (_gate)
        {
            if (_running.TryGetValue(repository, out var running))
            {
                running.Again = true;
                return;
            }

            var recount = new Recount();
            _running[repository] = recount;
            recount.Task = Task.Run(() => RunAsync(repository, recount));
        }
    }

    /// <summary>Completes when no recount of the repository is scheduled or running in this process.</summary>
    public Task WhenIdleAsync(string repository)
    {
        lock (_gate)
        {
            return _running.TryGetValue(repository, out var running) ? running.Task! : Task.CompletedTask;
        }
    }

    /// <summary>
    /// Recounts now and writes the catalog row. Idempotent. Lists nothing: a repository without a catalog row gets one
    /// only when it holds a manifest (a push lists it anyway).
    /// </summary>
    public async Task RecountAsync(string repository, CancellationToken ct)
    {
        var key = StorageLayout.RepositoryKey(repository);
        for (var attempt = 1; ; attempt++)
        {
            var current = await storage.Metadata.GetAsync(storage.Layout.CatalogTable, StorageLayout.CatalogPartition, key, ct).ConfigureAwait(false);
            var rows = await storage.QueryAllAsync(storage.Layout.RepositoriesTable, new RowQuery { PartitionKey = key, Select = SummaryProperties.SelectForStats }, int.MaxValue, ct)
                .ConfigureAwait(false);
            var stats = Compute(rows);
            if (current is null && !rows.Any(r => r.RowKey.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal)))
            {
                return;
            }

            var row = new CatalogRow(current is null ? repository : CatalogRow.FromRow(current).Name).ToRow();
            stats.WriteTo(row);
            try
            {
                var write = current is null ? RowOperation.Insert(row) : RowOperation.Replace(row, current.ETag ?? "*");
                await storage.Metadata.ExecuteAsync(storage.Layout.CatalogTable, write, ct).ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyException) when (attempt < Attempts)
            {
                // Another recount (or a listing) wrote first: count again on its ETag.
            }
        }
    }

    /// <summary>
    /// Statistics of a repository from its rows (links, manifests, tags; others are ignored): Size is the logical size
    /// UsageReport computes (every link and manifest at full size); the description is the newest tag's.
    /// </summary>
    public static CatalogStats Compute(IEnumerable<TableRow> rows)
    {
        long size = 0;
        var tags = 0;
        DateTimeOffset? lastPush = null;
        TableRow? newestTag = null;
        foreach (var row in rows)
        {
            var key = row.RowKey;
            var pushedAt = SummaryProperties.PushedAt(row);
            if (key.StartsWith(StorageLayout.BlobLinkPrefix, StringComparison.Ordinal))
            {
                size += BlobLinkRow.FromRow(row).Size;
            }
            else if (key.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal))
            {
                size += ManifestBody.FromRow(row).Size;
                lastPush = Later(lastPush, pushedAt);
            }
            else if (key.StartsWith(StorageLayout.TagPrefix, StringComparison.Ordinal))
            {
                tags++;
                lastPush = Later(lastPush, pushedAt);
                if (newestTag is null || (pushedAt ?? DateTimeOffset.MinValue) > (SummaryProperties.PushedAt(newestTag) ?? DateTimeOffset.MinValue))
                {
                    newestTag = row;
                }
            }
        }

        var description = newestTag is null ? null : SummaryProperties.Read(newestTag).Info.GetValueOrDefault(DescriptionKey);
        return new CatalogStats(tags, size, lastPush, description);
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b) => a is null || b > a ? b : a;

    private async Task RunAsync(string repository, Recount recount)
    {
        while (true)
        {
            try
            {
                await RecountAsync(repository, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogRecountFailed(logger, repository, e);
            }

            lock (_gate)
            {
                if (!recount.Again)
                {
                    _running.Remove(repository);
                    return;
                }

                recount.Again = false;
            }
        }
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "Recounting the statistics of repository {Repository} failed; the next push or garbage collection recounts it")]
    private static partial void LogRecountFailed(ILogger logger, string repository, Exception exception);

    private sealed class Recount
    {
        public bool Again;
        public Task? Task;
    }
}
