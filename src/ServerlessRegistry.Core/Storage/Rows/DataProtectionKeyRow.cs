namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>
/// Table auth, PK "dataprotection", RK {key id}: one ASP.NET Core data-protection key as its XML element
/// (<see cref="Xml"/>), which encrypts and signs the web interface's session cookies and anti-forgery tokens.
/// Written once (insert); never updated, so a row is the same on every instance that reads it.
/// </summary>
internal sealed record DataProtectionKeyRow(string? Xml, DateTimeOffset? CreatedAt)
{
    public const string Partition = "dataprotection";
    private const string XmlProperty = "Xml";
    private const string CreatedAtProperty = "CreatedAt";

    public static DataProtectionKeyRow FromRow(TableRow row) => new(row.GetString(XmlProperty), row.GetDateTime(CreatedAtProperty));

    public TableRow ToRow(string keyId) => new(Partition, keyId)
    {
        [XmlProperty] = Xml,
        [CreatedAtProperty] = CreatedAt,
    };
}
