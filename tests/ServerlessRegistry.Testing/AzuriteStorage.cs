using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Testing;

/// <summary>The two storage ports on the shared Azurite under a fresh prefix, for tests of classes that take <see cref="RegistryStorage"/>.</summary>
internal static class AzuriteStorage
{
    public static async Task<(Azurite Azurite, RegistryStorage Storage)> CreateAsync()
    {
        var azurite = await Azurite.GetAsync();
        var layout = new StorageLayout(Azurite.NewPrefix());
        var azure = new AzureStorage(BlobTestSupport.EmulatorOptions(azurite), TimeProvider.System);
        return (azurite, new RegistryStorage(layout, azure.CreateBlobStore(layout), azure.CreateMetadataStore()));
    }
}
