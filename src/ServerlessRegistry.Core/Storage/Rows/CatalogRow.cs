namespace ServerlessRegistry.Core.Storage.Rows;

/// <summary>Table catalog, PK "repositories", RK hex(repository): a repository that holds a manifest.</summary>
internal sealed record CatalogRow(string Name)
{
    private const string NameProperty = "Name";

    public static CatalogRow FromRow(TableRow row) => new(row.GetString(NameProperty) ?? StorageLayout.RepositoryFromKey(row.RowKey));

    public TableRow ToRow() => new(StorageLayout.CatalogPartition, StorageLayout.RepositoryKey(Name)) { [NameProperty] = Name };
}
