using ServerlessRegistry.Azure.Blob;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure;

/// <summary>Creates the Azure implementations of the storage ports. Performs no I/O.</summary>
public static class AzureStorage
{
    /// <summary>
    /// A blob store on the container <see cref="StorageLayout.Container"/>, created on first write.
    /// With <see cref="AzureStorageOptions.AccountKey"/> requests use Shared Key and read URLs are service SAS;
    /// otherwise requests carry a bearer token and read URLs are user-delegation SAS (at most one day long).
    /// </summary>
    /// <param name="options">Account, endpoint and credentials.</param>
    /// <param name="layout">Names the container.</param>
    /// <param name="time">The clock for request dates and SAS start/expiry times.</param>
    public static IBlobStore CreateBlobStore(AzureStorageOptions options, StorageLayout layout, TimeProvider time) =>
        CreateBlobStore(options, layout, time, AzureBlobStore.DefaultListPageSize);

    /// <summary>As the public overload, with a smaller List Blobs page so tests can exercise paging.</summary>
    internal static AzureBlobStore CreateBlobStore(AzureStorageOptions options, StorageLayout layout, TimeProvider time, int listPageSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(time);
        var rest = BlobRestClient.Create(options, time);
        IBlobReadSigner signer = options.AccountKey is { } key
            ? new BlobSas(options.AccountName, Convert.FromBase64String(key), rest.IsHttps, time)
            : new UserDelegationSas(rest, time);
        return new AzureBlobStore(rest, signer, layout.Container, listPageSize);
    }
}
