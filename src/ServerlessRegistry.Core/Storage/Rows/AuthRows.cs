namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>
/// Table auth, PK "keys", RK "active": the registry's token signing key, <see cref="Key"/> a PKCS#8 RSA private key.
/// </summary>
internal sealed record SigningKeyRow(string? Kid, byte[]? Key, DateTimeOffset? CreatedAt)
{
    public const string Partition = "keys";
    public const string ActiveKey = "active";
    private const string KidProperty = "Kid";
    private const string KeyProperty = "Key";
    private const string CreatedAtProperty = "CreatedAt";

    public static SigningKeyRow FromRow(TableRow row) =>
        new(row.GetString(KidProperty), row.GetBinary(KeyProperty), row.GetDateTime(CreatedAtProperty));

    public TableRow ToRow() => new(Partition, ActiveKey)
    {
        [KidProperty] = Kid,
        [KeyProperty] = Key,
        [CreatedAtProperty] = CreatedAt,
    };
}

/// <summary>
/// Table auth, PK "tokens", RK {name}: an access token. <see cref="Id"/> changes when the name is re-created,
/// <see cref="Hash"/> is the SHA-256 of the secret, <see cref="Repositories"/> a JSON array of patterns.
/// </summary>
internal sealed record AccessTokenRow(string? Id, byte[]? Hash, string? Repositories, string? Actions, DateTimeOffset? ExpiresAt, DateTimeOffset? CreatedAt)
{
    public const string Partition = "tokens";
    private const string IdProperty = "Id";
    private const string HashProperty = "Hash";
    private const string RepositoriesProperty = "Repositories";
    private const string ActionsProperty = "Actions";
    private const string ExpiresAtProperty = "ExpiresAt";
    private const string CreatedAtProperty = "CreatedAt";

    public static AccessTokenRow FromRow(TableRow row) => new(
        row.GetString(IdProperty), row.GetBinary(HashProperty), row.GetString(RepositoriesProperty),
        row.GetString(ActionsProperty), row.GetDateTime(ExpiresAtProperty), row.GetDateTime(CreatedAtProperty));

    public TableRow ToRow(string name) => new(Partition, name)
    {
        [IdProperty] = Id,
        [HashProperty] = Hash,
        [RepositoriesProperty] = Repositories,
        [ActionsProperty] = Actions,
        [ExpiresAtProperty] = ExpiresAt,
        [CreatedAtProperty] = CreatedAt,
    };
}
