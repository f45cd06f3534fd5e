namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>
/// Table uploads, PK {uploadId}, RK "": an upload session. <see cref="Segments"/> holds per PATCH a 4-byte nonce and
/// a 4-byte block count; <see cref="Algorithm"/> is a digest prefix ("sha256", "sha512").
/// </summary>
internal sealed record UploadSessionRow(
    string? Repository, string? Algorithm, long Offset, byte[]? Segments, byte[]? HashState,
    DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, string? Owner, string? OtherDigest = null)
{
    private const string RepositoryProperty = "Repository";
    private const string AlgorithmProperty = "Algorithm";
    private const string OffsetProperty = "Offset";
    private const string SegmentsProperty = "Segments";
    private const string HashStateProperty = "HashState";
    private const string CreatedAtProperty = "CreatedAt";
    private const string UpdatedAtProperty = "UpdatedAt";
    private const string OwnerProperty = "Owner";
    private const string OtherDigestProperty = "OtherDigest";

    public static UploadSessionRow FromRow(TableRow row) => new(
        row.GetString(RepositoryProperty), row.GetString(AlgorithmProperty), row.GetInt64(OffsetProperty) ?? 0,
        row.GetBinary(SegmentsProperty), row.GetBinary(HashStateProperty), row.GetDateTime(CreatedAtProperty),
        row.GetDateTime(UpdatedAtProperty), row.GetString(OwnerProperty), row.GetString(OtherDigestProperty));

    /// <summary>An empty <see cref="Segments"/> is not written.</summary>
    public TableRow ToRow(string uploadId) => new(uploadId, "")
    {
        [RepositoryProperty] = Repository,
        [AlgorithmProperty] = Algorithm,
        [OffsetProperty] = Offset,
        [SegmentsProperty] = Segments is { Length: > 0 } ? Segments : null,
        [HashStateProperty] = HashState,
        [CreatedAtProperty] = CreatedAt,
        [UpdatedAtProperty] = UpdatedAt,
        [OwnerProperty] = Owner,
        [OtherDigestProperty] = OtherDigest,
    };
}

/// <summary>Table uploads, PK "owner:{sha256hex(owner)}", RK {uploadId}: one open upload of one caller.</summary>
internal sealed record OpenUploadIndexRow(DateTimeOffset? CreatedAt)
{
    private const string CreatedAtProperty = "CreatedAt";

    public static OpenUploadIndexRow FromRow(TableRow row) => new(row.GetDateTime(CreatedAtProperty));

    public TableRow ToRow(string? owner, string uploadId) =>
        new(StorageLayout.UploadOwnerKey(owner), uploadId) { [CreatedAtProperty] = CreatedAt };
}
