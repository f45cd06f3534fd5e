namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>
/// Table blobs, PK {digest}, RK "": the global index of stored content. <see cref="TouchedAt"/> is written when a push
/// reuses the content (see GarbageCollection.md).
/// </summary>
internal sealed record BlobIndexRow(string? Blob, long Size, DateTimeOffset? CreatedAt, DateTimeOffset? TouchedAt = null)
{
    private const string BlobProperty = "Blob";
    private const string SizeProperty = "Size";
    private const string CreatedAtProperty = "CreatedAt";
    private const string TouchedAtProperty = "TouchedAt";

    public static BlobIndexRow FromRow(TableRow row) => new(
        row.GetString(BlobProperty), row.GetInt64(SizeProperty) ?? 0, row.GetDateTime(CreatedAtProperty), row.GetDateTime(TouchedAtProperty));

    public TableRow ToRow(string digest) => new(digest, "")
    {
        [BlobProperty] = Blob,
        [SizeProperty] = Size,
        [CreatedAtProperty] = CreatedAt,
        [TouchedAtProperty] = TouchedAt,
    };

    /// <summary>Sets TouchedAt on a row read from the table, keeping its ETag for the conditional write.</summary>
    public static void Touch(TableRow row, DateTimeOffset now) => row[TouchedAtProperty] = now;
}
