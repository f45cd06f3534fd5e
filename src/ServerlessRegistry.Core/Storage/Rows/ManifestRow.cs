namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>
/// What manifest and tag rows share: the manifest's media type and size, and its bytes inline
/// (<see cref="Content"/>) or the name of the blob that holds them (<see cref="Blob"/>). A tag row may carry neither
/// (see ManifestService.TagCopyBudget).
/// </summary>
internal sealed record ManifestBody(string? MediaType, long Size, byte[]? Content, string? Blob)
{
    private const string MediaTypeProperty = "MediaType";
    private const string SizeProperty = "Size";
    private const string ContentProperty = "Content";
    private const string BlobProperty = "Blob";

    public static ManifestBody FromRow(TableRow row) => new(
        row.GetString(MediaTypeProperty), row.GetInt64(SizeProperty) ?? 0, row.GetBinary(ContentProperty), row.GetString(BlobProperty));

    public void WriteTo(TableRow row)
    {
        row[MediaTypeProperty] = MediaType;
        row[SizeProperty] = Size;
        row[ContentProperty] = Content;
        row[BlobProperty] = Blob;
    }
}

/// <summary>Table repos, PK hex(repository), RK "m:{digest}": a manifest.</summary>
internal sealed record ManifestRow(ManifestBody Body, string? Subject, string? ArtifactType, DateTimeOffset? PushedAt)
{
    private const string SubjectProperty = "Subject";
    private const string ArtifactTypeProperty = "ArtifactType";
    private const string PushedAtProperty = "PushedAt";

    public static ManifestRow FromRow(TableRow row) => new(
        ManifestBody.FromRow(row), row.GetString(SubjectProperty), row.GetString(ArtifactTypeProperty), row.GetDateTime(PushedAtProperty));

    public TableRow ToRow(string partition, string digest)
    {
        var row = new TableRow(partition, StorageLayout.ManifestKey(digest))
        {
            [SubjectProperty] = Subject,
            [ArtifactTypeProperty] = ArtifactType,
            [PushedAtProperty] = PushedAt,
        };
        Body.WriteTo(row);
        return row;
    }
}

/// <summary>Table repos, PK hex(repository), RK "t:{tag}": a tag, with a copy of its manifest's body.</summary>
internal sealed record TagRow(string? Digest, ManifestBody Body, DateTimeOffset? PushedAt)
{
    /// <summary>The property that names the tagged manifest, for queries that filter on it.</summary>
    public const string DigestProperty = "Digest";
    private const string PushedAtProperty = "PushedAt";

    public static TagRow FromRow(TableRow row) => new(row.GetString(DigestProperty), ManifestBody.FromRow(row), row.GetDateTime(PushedAtProperty));

    public TableRow ToRow(string partition, string tag)
    {
        var row = new TableRow(partition, StorageLayout.TagKey(tag)) { [DigestProperty] = Digest, [PushedAtProperty] = PushedAt };
        Body.WriteTo(row);
        return row;
    }
}
