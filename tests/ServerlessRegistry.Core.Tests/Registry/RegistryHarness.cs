using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// The registry services on real Azurite storage under a fresh prefix, with an optional decorator around the
/// metadata store so a test can pause or fail a write. Disposing deletes the prefix.
/// </summary>
internal sealed class RegistryHarness : IAsyncDisposable
{
    private readonly Azurite _azurite;

    private RegistryHarness(Azurite azurite, string prefix, Func<IMetadataStore, IMetadataStore>? wrap)
    {
        _azurite = azurite;
        Prefix = prefix;
        var layout = new StorageLayout(prefix);
        var options = BlobTestSupport.EmulatorOptions(azurite);
        IMetadataStore metadata = new AzureMetadataStore(options, TimeProvider.System);
        Storage = new RegistryStorage(layout, AzureStorage.CreateBlobStore(options, layout, TimeProvider.System), wrap?.Invoke(metadata) ?? metadata);
        var registryOptions = new RegistryOptions { BlockSize = 1024, BlocksInFlight = 3 };
        Blobs = new BlobService(Storage, registryOptions, TimeProvider.System);
        Uploads = new UploadService(Storage, Blobs, registryOptions, TimeProvider.System);
        Catalog = new CatalogService(Storage);
        Manifests = new ManifestService(Storage, Catalog, TimeProvider.System);
    }

    public string Prefix { get; }
    public RegistryStorage Storage { get; }
    public BlobService Blobs { get; }
    public UploadService Uploads { get; }
    public CatalogService Catalog { get; }
    public ManifestService Manifests { get; }

    public static async Task<RegistryHarness> StartAsync(Func<IMetadataStore, IMetadataStore>? wrap = null) =>
        new(await Azurite.GetAsync(), Azurite.NewPrefix(), wrap);

    /// <summary>Reads a blob the way a client would: through its redirect URL.</summary>
    public async Task<byte[]> ReadThroughRedirectAsync(string repository, string digest)
    {
        var (_, location) = await Blobs.GetRedirectAsync(repository, digest, CancellationToken.None);
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(location);
    }

    public ValueTask DisposeAsync() => new(StorageCleanup.DeletePrefixAsync(_azurite, Prefix));
}
