namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>
/// Table repos, PK hex(repository), RK "b:{digest}": a repository's link to indexed content. <see cref="LinkedAt"/>
/// is rewritten when a manifest push relies on an old link (see GarbageCollection.md).
/// </summary>
internal sealed record BlobLinkRow(string? Blob, long Size, DateTimeOffset? LinkedAt)
{
    private const string BlobProperty = "Blob";
    private const string SizeProperty = "Size";
    private const string LinkedAtProperty = "LinkedAt";

    public static BlobLinkRow FromRow(TableRow row) =>
        new(row.GetString(BlobProperty), row.GetInt64(SizeProperty) ?? 0, row.GetDateTime(LinkedAtProperty));

    public TableRow ToRow(string repository, string digest) => new(StorageLayout.RepositoryKey(repository), StorageLayout.BlobLinkKey(digest))
    {
        [BlobProperty] = Blob,
        [SizeProperty] = Size,
        [LinkedAtProperty] = LinkedAt,
    };

    /// <summary>Sets LinkedAt on a row read from the table, keeping its ETag for the conditional write.</summary>
    public static void Touch(TableRow row, DateTimeOffset now) => row[LinkedAtProperty] = now;
}
