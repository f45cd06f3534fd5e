using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Testing;

/// <summary>Removes everything a test stored under its prefix: the container, every table and every queue.</summary>
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

        // Queue names are the prefix plus a suffix of letters and hyphens ("{prefix}events", "{prefix}events-poison").
        var queues = new AzureStorage(BlobTestSupport.EmulatorOptions(azurite), TimeProvider.System).CreateAzureQueueStore();
        foreach (var queue in await queues.ListQueuesAsync(prefix, CancellationToken.None))
        {
            await queues.DeleteQueueAsync(queue, CancellationToken.None);
        }
    }
}
