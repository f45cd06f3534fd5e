namespace ServerlessRegistry.Core.Storage;

/// <summary>The two storage ports and the layout that names everything in them.</summary>
internal sealed class RegistryStorage(StorageLayout layout, IBlobStore blobs, IMetadataStore metadata)
{
    public StorageLayout Layout { get; } = layout;
    public IBlobStore Blobs { get; } = blobs;
    public IMetadataStore Metadata { get; } = metadata;

    internal Task<TableRow?> GetRepositoryRowAsync(string repository, string rowKey, CancellationToken ct) =>
        Metadata.GetAsync(Layout.RepositoriesTable, StorageLayout.RepositoryKey(repository), rowKey, ct);

    /// <summary>Reads every page of a query. For bounded ranges (one repository's tags or referrers).</summary>
    internal async Task<List<TableRow>> QueryAllAsync(string table, RowQuery query, int limit, CancellationToken ct)
    {
        var rows = new List<TableRow>();
        var next = query;
        while (rows.Count < limit)
        {
            var page = await Metadata.QueryAsync(table, next with { Top = Math.Min(1000, limit - rows.Count) }, ct).ConfigureAwait(false);
            rows.AddRange(page.Rows);
            if (page.Continuation is null)
            {
                break;
            }

            next = next with { Continuation = page.Continuation };
        }

        if (rows.Count > limit)
        {
            rows.RemoveRange(limit, rows.Count - limit);
        }

        return rows;
    }
}
