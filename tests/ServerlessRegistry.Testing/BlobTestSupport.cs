using System.Runtime.CompilerServices;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Azure.Blob;

namespace ServerlessRegistry.Testing;

/// <summary>Blob helpers for tests on Azurite: options for the shared instance, and container clean-up checks.</summary>
public static class BlobTestSupport
{
    private static readonly ConditionalWeakTable<Azurite, BlobRestClient> Clients = new();

    /// <summary>Shared Key options for the shared Azurite instance.</summary>
    public static AzureStorageOptions EmulatorOptions(Azurite azurite) =>
        AzureStorageOptions.ForEmulator(azurite.BlobEndpoint, azurite.TableEndpoint, Azurite.AccountName, Azurite.AccountKey);

    /// <summary>Deletes a test's container. A container that was never created is fine.</summary>
    public static async Task DeleteContainerAsync(Azurite azurite, string container)
    {
        using var message = await Client(azurite).DeleteContainerAsync(container, CancellationToken.None);
        if (message.Response.Status is not (202 or 404))
        {
            throw new InvalidOperationException($"Deleting container {container} answered {message.Response.Status}.");
        }
    }

    /// <summary>Whether a container exists, so a suite can fail a test that leaves one behind.</summary>
    public static async Task<bool> ContainerExistsAsync(Azurite azurite, string container)
    {
        using var message = await Client(azurite).GetContainerPropertiesAsync(container, CancellationToken.None);
        return message.Response.Status switch
        {
            200 => true,
            404 => false,
            var status => throw new InvalidOperationException($"Reading container {container} answered {status}."),
        };
    }

    private static BlobRestClient Client(Azurite azurite) =>
        Clients.GetValue(azurite, a => BlobRestClient.Create(EmulatorOptions(a), TimeProvider.System));
}
