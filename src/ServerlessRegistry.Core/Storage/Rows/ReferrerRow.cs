namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>
/// Table repos, PK hex(repository), RK "r:{subject}:{digest}": a manifest listed as a referrer of its subject.
/// <see cref="Annotations"/> is the manifest's annotations as JSON when they fit a string property; otherwise
/// <see cref="AnnotationsElsewhere"/> says to read them from the manifest.
/// </summary>
internal sealed record ReferrerRow(string? MediaType, long Size, string? ArtifactType, string? Annotations, bool AnnotationsElsewhere, DateTimeOffset? PushedAt)
{
    private const string MediaTypeProperty = "MediaType";
    private const string SizeProperty = "Size";
    private const string ArtifactTypeProperty = "ArtifactType";
    private const string AnnotationsProperty = "Annotations";
    private const string AnnotationsElsewhereProperty = "AnnotationsElsewhere";
    private const string PushedAtProperty = "PushedAt";

    /// <summary>What a listing of referrers by artifact type reads (the README lookup): not the annotations.</summary>
    public static readonly IReadOnlyList<string> SelectForListing = [ArtifactTypeProperty, PushedAtProperty];

    /// <summary>A query filter for referrers of one artifact type.</summary>
    public static IReadOnlyDictionary<string, string> WithArtifactType(string artifactType) =>
        new Dictionary<string, string>(StringComparer.Ordinal) { [ArtifactTypeProperty] = artifactType };

    public static ReferrerRow FromRow(TableRow row) => new(
        row.GetString(MediaTypeProperty), row.GetInt64(SizeProperty) ?? 0, row.GetString(ArtifactTypeProperty),
        row.GetString(AnnotationsProperty), row[AnnotationsElsewhereProperty] is true, row.GetDateTime(PushedAtProperty));

    public TableRow ToRow(string partition, string subject, string digest) => new(partition, StorageLayout.ReferrerKey(subject, digest))
    {
        [MediaTypeProperty] = MediaType,
        [SizeProperty] = Size,
        [ArtifactTypeProperty] = ArtifactType,
        [AnnotationsProperty] = Annotations,
        [AnnotationsElsewhereProperty] = AnnotationsElsewhere ? true : null,
        [PushedAtProperty] = PushedAt,
    };
}
