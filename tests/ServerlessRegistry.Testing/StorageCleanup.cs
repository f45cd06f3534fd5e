using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Testing;

/// <summary>Removes everything a test stored under its prefix: the container and every table.</summary>
public static class StorageCleanup
{
    public static async Task DeletePrefixAsync(Azurite azurite, string prefix)
    {
        var layout = new StorageLayout(prefix);
        await BlobTestSupport.DeleteContainerAsync(azurite, layout.Container);
        var tables = new AzureMetadataStore(BlobTestSupport.EmulatorOptions(azurite), TimeProvider.System);
        foreach (var table in new[] { layout.UploadsTable, layout.BlobIndexTable, layout.RepositoriesTable, layout.CatalogTable, layout.AuthTable, layout.PullsTable, layout.Prefix + "mirror", layout.Prefix + "policies" })
        {
            await tables.DeleteTableAsync(table, CancellationToken.None);
        }
    }
}
