using System.Text.Json;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>
/// The listing summary a push writes on its manifest row ("m:") and copies onto each tag row ("t:"), so the
/// repository page reads tag rows only. <see cref="SelectForTags"/> is what a tag listing asks the store for: never the
/// inline manifest <c>Content</c>.
/// </summary>
internal static class SummaryProperties
{
    /// <summary>The summary's size; "Size" is already the manifest's own byte count (ManifestBody).</summary>
    public const string TotalSizeProperty = "TotalSize";
    public const string PlatformsProperty = "Platforms";
    public const string ArtifactTypeProperty = "ArtifactType";
    public const string CreatedProperty = "Created";
    public const string InfoProperty = "Info";
    /// <summary>True when every fact was recorded (ManifestSummary.Complete); absent on rows written before it existed.</summary>
    public const string CompleteProperty = "SummaryComplete";
    /// <summary>
    /// What a tag table shows, in one string: "{size}|{1 when complete, else 0}|{artifact type}|{platforms, comma-joined}".
    /// A listing of many tags then selects three properties: each selected property costs per row, in the payload and
    /// (on Azurite) in the query itself. Media types and platforms hold no '|'.
    /// </summary>
    public const string ListingProperty = "Listing";
    /// <summary>Config labels as JSON: only on the manifest row, for the manifest page.</summary>
    public const string LabelsProperty = "Labels";
    private const string MediaTypeProperty = "MediaType";
    private const string SizeProperty = "Size";
    private const string DigestProperty = TagRow.DigestProperty;
    private const string PushedAtProperty = "PushedAt";

    /// <summary>The longest Info JSON a row carries.</summary>
    public const int InfoLimit = 8_000;

    /// <summary>Platforms are stored as one string, joined by this.</summary>
    private const string PlatformSeparator = ", ";

    /// <summary>The properties the repository page's tag table needs from every tag row (see <see cref="ReadListing"/>).</summary>
    public static readonly IReadOnlyList<string> SelectForTags = [DigestProperty, PushedAtProperty, ListingProperty];

    /// <summary>What a statistics recount reads from a repository's rows: link and manifest sizes, push times, tag info.</summary>
    public static readonly IReadOnlyList<string> SelectForStats = [SizeProperty, PushedAtProperty, InfoProperty];

    /// <summary>When a manifest, tag or referrer row was pushed.</summary>
    public static DateTimeOffset? PushedAt(TableRow row) => row.GetDateTime(PushedAtProperty);

    /// <summary>Whether the row carries a summary (rows written before summaries existed do not).</summary>
    public static bool HasSummary(TableRow row) => row[TotalSizeProperty] is not null;

    /// <summary>Whether the row carries a complete summary; anything else is worth computing again.</summary>
    public static bool IsComplete(TableRow row) => HasSummary(row) && row[CompleteProperty] is true;

    public static void Write(TableRow row, ManifestSummary summary)
    {
        row[TotalSizeProperty] = summary.Size;
        row[PlatformsProperty] = summary.Platforms.Count == 0 ? null : string.Join(PlatformSeparator, summary.Platforms);
        row[ArtifactTypeProperty] = summary.ArtifactType;
        row[CreatedProperty] = summary.Created?.ToUniversalTime();
        row[InfoProperty] = InfoJson(summary.Info);
        row[CompleteProperty] = summary.Complete;
        row[ListingProperty] = string.Join('|', summary.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), summary.Complete ? "1" : "0",
            summary.ArtifactType ?? "", string.Join(',', summary.Platforms));
    }

    /// <summary>
    /// The tag table's part of a row's summary (size, platforms, artifact type, completeness; no created time or
    /// info) from <see cref="ListingProperty"/>; not Known when the row has none.
    /// </summary>
    public static ManifestSummary ReadListing(TableRow row)
    {
        var parts = row.GetString(ListingProperty)?.Split('|', 4);
        if (parts is not { Length: 4 } || !long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
        {
            return ManifestSummary.Unknown;
        }

        return new ManifestSummary(size, parts[3].Length == 0 ? [] : parts[3].Split(','), parts[2].Length == 0 ? null : parts[2], null,
            new Dictionary<string, string>(), parts[1] == "1");
    }

    /// <summary>Whether the row already records exactly this summary, completeness marker included (a rewrite would change nothing).</summary>
    public static bool Records(TableRow row, ManifestSummary summary) => row[CompleteProperty] is bool && Same(Read(row), summary);

    /// <summary>Whether two summaries record the same facts.</summary>
    public static bool Same(ManifestSummary a, ManifestSummary b) =>
        a.Size == b.Size && a.Complete == b.Complete && a.ArtifactType == b.ArtifactType && a.Created == b.Created &&
        a.Platforms.SequenceEqual(b.Platforms, StringComparer.Ordinal) &&
        a.Info.Count == b.Info.Count && a.Info.All(p => b.Info.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <summary>
    /// Info as JSON within <see cref="InfoLimit"/> characters, dropping the longest values first: every tag row of a
    /// push carries it, and a batch of 100 rows must stay under 4 MiB with the manifest copies (TagCopyBudget).
    /// </summary>
    private static string? InfoJson(IReadOnlyDictionary<string, string> info)
    {
        var kept = info.ToDictionary(StringComparer.Ordinal);
        while (kept.Count > 0)
        {
            var json = JsonSerializer.Serialize(kept, ListingJson.Default.DictionaryStringString);
            if (json.Length <= InfoLimit)
            {
                return json;
            }

            kept.Remove(kept.MaxBy(p => p.Value.Length).Key);
        }

        return null;
    }

    /// <summary>The row's summary; <see cref="ManifestSummary.Unknown"/> facts (not Known, not Complete) when it has none.</summary>
    public static ManifestSummary Read(TableRow row) => new(
        row.GetInt64(TotalSizeProperty) ?? 0,
        row.GetString(PlatformsProperty) is { Length: > 0 } p ? p.Split(PlatformSeparator) : [],
        row.GetString(ArtifactTypeProperty),
        row.GetDateTime(CreatedProperty),
        ReadMap(row.GetString(InfoProperty)),
        IsComplete(row))
    {
        Known = HasSummary(row),
    };

    public static IReadOnlyDictionary<string, string> ReadLabels(TableRow row) => ReadMap(row.GetString(LabelsProperty));

    /// <summary>Labels JSON, or null when empty or too long for a string property (the page then shows none).</summary>
    public static void WriteLabels(TableRow row, IReadOnlyDictionary<string, string> labels)
    {
        var json = labels.Count == 0 ? null : JsonSerializer.Serialize(labels, ListingJson.Default.DictionaryStringString);
        row[LabelsProperty] = json is { Length: <= 30_000 } ? json : null;
    }

    private static Dictionary<string, string> ReadMap(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize(json, ListingJson.Default.DictionaryStringString) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

/// <summary>
/// The statistics a catalog row carries for the repositories page (see RepositoryStats): TagCount (Int32), Size
/// (Int64, logical bytes), LastPush, Description.
/// </summary>
internal sealed record CatalogStats(int TagCount, long Size, DateTimeOffset? LastPush, string? Description)
{
    private const string TagCountProperty = "TagCount";
    private const string SizeProperty = "Size";
    private const string LastPushProperty = "LastPush";
    private const string DescriptionProperty = "Description";

    /// <summary>Whether the row carries statistics (rows listed before statistics existed do not).</summary>
    public static bool HasStats(TableRow row) => row[TagCountProperty] is not null;

    public static CatalogStats FromRow(TableRow row) => new(
        (int)(row.GetInt64(TagCountProperty) ?? 0), row.GetInt64(SizeProperty) ?? 0, row.GetDateTime(LastPushProperty), row.GetString(DescriptionProperty));

    public void WriteTo(TableRow row)
    {
        row[TagCountProperty] = TagCount;
        row[SizeProperty] = Size;
        row[LastPushProperty] = LastPush;
        row[DescriptionProperty] = Description;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class ListingJson : System.Text.Json.Serialization.JsonSerializerContext;
