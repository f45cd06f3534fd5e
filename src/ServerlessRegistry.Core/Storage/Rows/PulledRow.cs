namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>Table pulls, PK hex(repository), RK {digest}: when a manifest was last pulled (day precision is all its readers need).</summary>
internal sealed record PulledRow(DateTimeOffset? PulledAt)
{
    private const string PulledAtProperty = "PulledAt";

    public static PulledRow FromRow(TableRow row) => new(row.GetDateTime(PulledAtProperty));

    public TableRow ToRow(string repository, string digest) => new(StorageLayout.RepositoryKey(repository), digest)
    {
        [PulledAtProperty] = PulledAt,
    };
}
