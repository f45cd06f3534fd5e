using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>The blob suite on the in-memory store that logic tests use in place of the emulator.</summary>
public sealed class InMemoryBlobStoreTests : BlobStoreSuite
{
    protected override bool CopiesFromOwnReadUrls => false;

    protected override Task<IBlobStore> CreateStoreAsync(StorageLayout layout, TimeProvider time, int listPageSize) =>
        Task.FromResult<IBlobStore>(new InMemoryBlobStore(layout.Container, time));

    protected override Task DeleteContainerAsync(StorageLayout layout)
    {
        InMemoryBlobServer.DeleteContainer(layout.Container);
        return Task.CompletedTask;
    }

    protected override Task<bool> ContainerExistsAsync(StorageLayout layout) => Task.FromResult(InMemoryBlobServer.ContainerExists(layout.Container));
}

/// <summary>The metadata suite on the in-memory store that logic tests use in place of the emulator.</summary>
public sealed class InMemoryMetadataStoreTests : MetadataStoreSuite
{
    protected override Task<IMetadataStore> CreateStoreAsync() => Task.FromResult<IMetadataStore>(new InMemoryMetadataStore());

    protected override Task DeleteTableAsync(IMetadataStore store, string table)
    {
        ((InMemoryMetadataStore)store).DeleteTable(table);
        return Task.CompletedTask;
    }

    protected override Task<IReadOnlyList<string>> ListTablesAsync(IMetadataStore store, string prefix) =>
        Task.FromResult(((InMemoryMetadataStore)store).ListTables(prefix));
}
