using System.Globalization;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// Eviction, as a garbage-collection step: in every cached repository, a manifest not pulled within
/// Mirror:EvictUnpulledAfter (counted from its caching when it was never pulled since) is deleted with its tags, as a
/// client's delete would. The collection that follows removes the links no manifest references any more, and content
/// only once no repository links it, after the grace period: a layer a pushed image shares is never removed.
/// </summary>
internal sealed partial class MirrorEviction(
    RegistryStorage storage, CacheRuleSet ruleSet, ManifestService manifests, PullRecorder pulls, IOptions<MirrorOptions> options, TimeProvider time,
    ILogger<MirrorEviction> logger)
    : IGarbageCollectionStep
{
    private readonly string _table = MirrorLayout.Table(storage.Layout);

    public async Task<string> RunAsync(MaintenanceOptions gc, IProgress<GcProgress>? progress, CancellationToken ct)
    {
        var keep = options.Value.EvictUnpulledAfter;
        var rules = keep == TimeSpan.Zero ? CacheRules.None : await ruleSet.CurrentAsync(ct).ConfigureAwait(false);
        if (rules.IsEmpty)
        {
            return "mirror eviction: off";
        }

        var cutoff = time.GetUtcNow() - keep;
        long repositories = 0, evicted = 0;
        var query = new RowQuery { PartitionKey = StorageLayout.CatalogPartition, Top = 1000 };
        do
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.CatalogTable, query, ct).ConfigureAwait(false);
            foreach (var name in page.Rows.Select(r => CatalogRow.FromRow(r).Name).Where(n => rules.Match(n) is not null))
            {
                evicted += await EvictAsync(name, cutoff, gc.DryRun, ct).ConfigureAwait(false);
                progress?.Report(new GcProgress("cached repositories checked", ++repositories));
            }

            query = query with { Continuation = page.Continuation };
        }
        while (query.Continuation is not null);

        Evicted(logger, gc.DryRun, evicted, repositories, cutoff);
        var since = cutoff.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        return $"mirror eviction: {(gc.DryRun ? "would evict" : "evicted")} {evicted} cached manifests not pulled since {since} in {repositories} cached repositories";
    }

    private async Task<long> EvictAsync(string repository, DateTimeOffset cutoff, bool dryRun, CancellationToken ct)
    {
        var partition = StorageLayout.RepositoryKey(repository);
        var manifestRows = await storage.QueryAllAsync(storage.Layout.RepositoriesTable, Range(partition, StorageLayout.ManifestPrefix), int.MaxValue, ct).ConfigureAwait(false);
        var pulled = await pulls.ReadAsync(repository, ct).ConfigureAwait(false);
        // Pull times recorded before they moved to the core's table still count, so an upgrade evicts nothing early.
        var legacy = (await storage.QueryAllAsync(_table, Range(partition, MirrorLayout.LegacyPulledPrefix), int.MaxValue, ct).ConfigureAwait(false))
            .ToDictionary(r => r.RowKey[MirrorLayout.LegacyPulledPrefix.Length..], r => PulledRow.FromRow(r).PulledAt ?? DateTimeOffset.MinValue, StringComparer.Ordinal);
        long evicted = 0;
        foreach (var row in manifestRows)
        {
            var digest = row.RowKey[StorageLayout.ManifestPrefix.Length..];
            var last = new[] { pulled.TryGetValue(digest, out var at) ? at : DateTimeOffset.MinValue, legacy.GetValueOrDefault(digest, DateTimeOffset.MinValue),
                ManifestRow.FromRow(row).PushedAt ?? DateTimeOffset.MinValue }.Max();
            if (last >= cutoff)
            {
                continue;
            }

            evicted++;
            if (dryRun)
            {
                continue;
            }

            try
            {
                await manifests.DeleteAsync(repository, ManifestReference.Parse(digest), ct).ConfigureAwait(false);
            }
            catch (Core.Errors.RegistryException)
            {
                evicted--; // deleted or changed meanwhile: nothing to evict now
                continue;
            }

            await pulls.ForgetAsync(repository, digest, ct).ConfigureAwait(false);
            if (legacy.ContainsKey(digest))
            {
                await DeleteQuietlyAsync(partition, MirrorLayout.LegacyPulledPrefix + digest, ct).ConfigureAwait(false);
            }
        }

        return evicted;
    }

    private async Task DeleteQuietlyAsync(string partition, string rowKey, CancellationToken ct)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(_table, RowOperation.Delete(partition, rowKey), ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // Already gone.
        }
    }

    private static RowQuery Range(string partition, string prefix) =>
        new() { PartitionKey = partition, RowKeyFrom = prefix, RowKeyTo = StorageLayout.PrefixEnd(prefix) };

    [LoggerMessage(570, LogLevel.Information, "Mirror eviction (dry run: {DryRun}): {Evicted} cached manifests in {Repositories} repositories not pulled since {Cutoff}")]
    private static partial void Evicted(ILogger logger, bool dryRun, long evicted, long repositories, DateTimeOffset cutoff);
}
