using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// The registry services under a fresh prefix, on real Azurite storage or on the in-memory ports, with an optional
/// decorator around the metadata store so a test can pause or fail a write. Disposing deletes the prefix.
/// </summary>
internal sealed class RegistryHarness : IAsyncDisposable
{
    private readonly Azurite? _azurite;

    private RegistryHarness(Azurite? azurite, string prefix, Func<IMetadataStore, IMetadataStore>? wrap, Func<IBlobStore, IBlobStore>? wrapBlobs = null, IWriteGuard? guard = null)
    {
        _azurite = azurite;
        Prefix = prefix;
        var layout = new StorageLayout(prefix);
        IBlobStore blobs;
        IMetadataStore metadata;
        if (azurite is null)
        {
            blobs = new InMemoryBlobStore(layout.Container, TimeProvider.System);
            metadata = new InMemoryMetadataStore();
        }
        else
        {
            var emulator = BlobTestSupport.EmulatorOptions(azurite);
            var azure = new AzureStorage(new AzureStorageOptions
            {
                BlobEndpoint = emulator.BlobEndpoint,
                TableEndpoint = emulator.TableEndpoint,
                AccountName = emulator.AccountName,
                AccountKey = emulator.AccountKey,
                AdditionalPolicies = [Counter],
            }, TimeProvider.System);
            blobs = azure.CreateBlobStore(layout);
            metadata = azure.CreateMetadataStore();
        }

        Storage = new RegistryStorage(layout, wrapBlobs?.Invoke(blobs) ?? blobs, wrap?.Invoke(metadata) ?? metadata);
        var registryOptions = new RegistryOptions { BlockSize = 1024, BlocksInFlight = 3 };
        Blobs = new BlobService(Storage, registryOptions, TimeProvider.System, guard);
        Uploads = new UploadService(Storage, Blobs, registryOptions, TimeProvider.System, guard);
        Catalog = new CatalogService(Storage);
        Stats = new RepositoryStats(Storage, NullLogger<RepositoryStats>.Instance);
        Manifests = new ManifestService(Storage, Catalog, TimeProvider.System, Stats, guard: guard);
        Listing = new RepositoryListing(Storage);
    }

    public string Prefix { get; }
    public RegistryStorage Storage { get; }
    public BlobService Blobs { get; }
    public UploadService Uploads { get; }
    public CatalogService Catalog { get; }
    public ManifestService Manifests { get; }
    public RepositoryStats Stats { get; }
    public RepositoryListing Listing { get; }

    /// <summary>Storage requests sent on Azurite (none are counted in memory).</summary>
    public StoragePipelineCounter Counter { get; } = new();

    /// <summary>On Azurite: for tests whose point is how real storage behaves under them (concurrent conditional writes).</summary>
    public static async Task<RegistryHarness> StartAsync(Func<IMetadataStore, IMetadataStore>? wrap = null, Func<IBlobStore, IBlobStore>? wrapBlobs = null) =>
        new(await Azurite.GetAsync(), Azurite.NewPrefix(), wrap, wrapBlobs);

    /// <summary>On the in-memory ports: for tests of the registry's own logic.</summary>
    public static RegistryHarness InMemory(Func<IMetadataStore, IMetadataStore>? wrap = null, Func<IBlobStore, IBlobStore>? wrapBlobs = null, IWriteGuard? guard = null) =>
        new(null, Azurite.NewPrefix(), wrap, wrapBlobs, guard);

    /// <summary>Reads a blob the way a client would: through its redirect URL.</summary>
    public async Task<byte[]> ReadThroughRedirectAsync(string repository, string digest)
    {
        var (_, location) = await Blobs.GetRedirectAsync(repository, digest, CancellationToken.None);
        using var http = new HttpClient();
        return await http.GetByteArrayAsync(location);
    }

    public ValueTask DisposeAsync()
    {
        if (_azurite is null)
        {
            InMemoryBlobServer.DeleteContainer(Storage.Layout.Container);
            return ValueTask.CompletedTask;
        }

        return new(StorageCleanup.DeletePrefixAsync(_azurite, Prefix));
    }
}
