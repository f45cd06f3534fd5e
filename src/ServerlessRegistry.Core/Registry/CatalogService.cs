using System.Collections.Concurrent;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>One page of names, and whether more follow.</summary>
internal sealed record NamePage(IReadOnlyList<string> Names, bool HasMore);

/// <summary>
/// The catalog of repositories and each repository's tag list, both paged in the spec's lexical order with
/// <c>n</c> and an exclusive <c>last</c>.
/// </summary>
internal sealed class CatalogService(RegistryStorage storage)
{
    /// <summary>Repositories this process has already listed: the catalog upsert is skipped for them.</summary>
    private readonly ConcurrentDictionary<string, bool> _listed = new(StringComparer.Ordinal);

    /// <summary>
    /// The largest page served for an explicit <c>n</c>; a larger <c>n</c> gets this many and a Link to the rest,
    /// which the spec allows.
    /// </summary>
    public const int MaxPageSize = 10_000;

    /// <summary>
    /// Adds the repository to the catalog. Idempotent; after the first call in a process it makes no request. Inserts
    /// only when absent, so the statistics a listed row carries (RepositoryStats) are never wiped.
    /// </summary>
    public async Task EnsureListedAsync(string repository, CancellationToken ct)
    {
        if (_listed.ContainsKey(repository))
        {
            return;
        }

        try
        {
            await storage.Metadata.ExecuteAsync(storage.Layout.CatalogTable, RowOperation.Insert(new CatalogRow(repository).ToRow()), ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // Listed already (by an earlier push, another instance or a recount).
        }

        _listed.TryAdd(repository, true);
    }

    public async Task<bool> ExistsAsync(string repository, CancellationToken ct) =>
        _listed.ContainsKey(repository) ||
        await storage.Metadata.GetAsync(storage.Layout.CatalogTable, StorageLayout.CatalogPartition, StorageLayout.RepositoryKey(repository), ct).ConfigureAwait(false) is not null;

    /// <summary>Repositories after <paramref name="last"/>, at most <paramref name="n"/> (all when null).</summary>
    public async Task<NamePage> ListRepositoriesAsync(int? n, string? last, CancellationToken ct)
    {
        n = Clamp(n);
        var rows = await PageAsync(storage.Layout.CatalogTable, StorageLayout.CatalogPartition, "",
            last is null ? null : StorageLayout.RepositoryKey(last), null, n, ct).ConfigureAwait(false);
        return Trim(rows.Select(r => StorageLayout.RepositoryFromKey(r.RowKey)).ToList(), n);
    }

    /// <summary>Tags of a repository after <paramref name="last"/>; NAME_UNKNOWN for a repository never pushed to.</summary>
    public async Task<NamePage> ListTagsAsync(string repository, int? n, string? last, CancellationToken ct)
    {
        n = Clamp(n);
        var prefix = StorageLayout.TagPrefix;
        var rows = await PageAsync(storage.Layout.RepositoriesTable, StorageLayout.RepositoryKey(repository), prefix,
            last is null ? null : StorageLayout.TagKey(last), StorageLayout.PrefixEnd(prefix), n, ct).ConfigureAwait(false);
        if (rows.Count == 0 && !await ExistsAsync(repository, ct).ConfigureAwait(false))
        {
            Fail.With(ErrorKind.NameUnknown, "repository name not known to registry", ("name", repository));
        }

        return Trim(rows.Select(r => r.RowKey[prefix.Length..]).ToList(), n);
    }

    private async Task<List<TableRow>> PageAsync(string table, string partition, string from, string? after, string? to, int? n, CancellationToken ct)
    {
        if (n == 0)
        {
            return [];
        }

        // One row beyond the page tells whether a next page exists.
        var limit = n is { } count ? count + 1 : int.MaxValue;
        var query = new RowQuery
        {
            PartitionKey = partition,
            RowKeyFrom = after ?? from,
            FromExclusive = after is not null,
            RowKeyTo = to,
            // Names are keys: leave the rest (a tag row's manifest copy, a catalog row's statistics) in storage.
            Select = [],
        };
        return await storage.QueryAllAsync(table, query, limit, ct).ConfigureAwait(false);
    }

    private static int? Clamp(int? n) => n is { } count ? Math.Min(count, MaxPageSize) : null;

    private static NamePage Trim(List<string> names, int? n) =>
        n is { } count && names.Count > count ? new NamePage(names[..count], true) : new NamePage(names, false);
}
