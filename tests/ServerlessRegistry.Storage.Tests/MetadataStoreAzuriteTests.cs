using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>The metadata suite against <see cref="AzureMetadataStore"/> on the shared Azurite instance.</summary>
public sealed class AzuriteMetadataStoreTests : MetadataStoreSuite
{
    protected override async Task<IMetadataStore> CreateStoreAsync() =>
        new AzureStorage(BlobTestSupport.EmulatorOptions(await Azurite.GetAsync()), TimeProvider.System).CreateMetadataStore();

    protected override Task DeleteTableAsync(IMetadataStore store, string table) =>
        ((AzureMetadataStore)store).DeleteTableAsync(table, CancellationToken.None);

    protected override Task<IReadOnlyList<string>> ListTablesAsync(IMetadataStore store, string prefix) =>
        ((AzureMetadataStore)store).ListTablesAsync(prefix, CancellationToken.None);
}
