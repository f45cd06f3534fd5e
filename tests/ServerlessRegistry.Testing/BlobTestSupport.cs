using System.Runtime.CompilerServices;
using Azure.Storage;
using Azure.Storage.Blobs;
using ServerlessRegistry.Azure;

namespace ServerlessRegistry.Testing;

/// <summary>Blob helpers for tests on Azurite: options for the shared instance, and container clean-up checks.</summary>
public static class BlobTestSupport
{
    private static readonly ConditionalWeakTable<Azurite, BlobServiceClient> Clients = new();

    /// <summary>Shared Key options for the shared Azurite instance.</summary>
    public static AzureStorageOptions EmulatorOptions(Azurite azurite) =>
        AzureStorageOptions.ForEmulator(azurite.BlobEndpoint, azurite.TableEndpoint, Azurite.AccountName, Azurite.AccountKey, azurite.QueueEndpoint);

    /// <summary>Deletes a test's container. A container that was never created is fine.</summary>
    public static async Task DeleteContainerAsync(Azurite azurite, string container) =>
        await Client(azurite).GetBlobContainerClient(container).DeleteIfExistsAsync();

    /// <summary>Whether a container exists, so a suite can fail a test that leaves one behind.</summary>
    public static async Task<bool> ContainerExistsAsync(Azurite azurite, string container) =>
        await Client(azurite).GetBlobContainerClient(container).ExistsAsync();

    private static BlobServiceClient Client(Azurite azurite) =>
        Clients.GetValue(azurite, a => new BlobServiceClient(a.BlobEndpoint, new StorageSharedKeyCredential(Azurite.AccountName, Azurite.AccountKey),
            new BlobClientOptions(BlobClientOptions.ServiceVersion.V2025_05_05)));
}
