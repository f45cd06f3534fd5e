using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>
/// The registry's storage as one side of a race sees it: before each delete the hook runs, so a test can let the
/// other side (a push over HTTP) act at exactly that point and then let the delete go ahead. No sleeps, no threads.
/// </summary>
internal sealed class HookedStorage(RegistryStorage inner, Func<string, Task> hook) : IMetadataStore, IBlobStore
{
    /// <summary>Hook points: "repos-delete" (manifest/link batches), "index-delete", "session-delete", "blob-delete", "catalog-batch".</summary>
    public RegistryStorage Storage => new(inner.Layout, this, this);

    public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        inner.Metadata.GetAsync(table, partitionKey, rowKey, cancellationToken);

    public Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken cancellationToken) =>
        inner.Metadata.QueryAsync(table, query, cancellationToken);

    public async Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken cancellationToken)
    {
        if (operation.Kind == RowOperationKind.Delete && table == inner.Layout.BlobIndexTable)
        {
            await hook("index-delete");
        }

        if (operation.Kind == RowOperationKind.Delete && table == inner.Layout.UploadsTable && operation.Row.RowKey.Length == 0)
        {
            await hook("session-delete");
        }

        return await inner.Metadata.ExecuteAsync(table, operation, cancellationToken);
    }

    public async Task ExecuteBatchAsync(string table, IReadOnlyList<RowOperation> operations, CancellationToken cancellationToken)
    {
        if (table == inner.Layout.RepositoriesTable && operations.All(o => o.Kind == RowOperationKind.Delete))
        {
            await hook("repos-delete");
        }

        if (table == inner.Layout.CatalogTable)
        {
            await hook("catalog-batch");
        }

        await inner.Metadata.ExecuteBatchAsync(table, operations, cancellationToken);
    }

    public Task StageBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.Blobs.StageBlockAsync(blobName, blockId, content, cancellationToken);

    public Task<bool> StageBlockFromUriAsync(string blobName, string blockId, Uri source, long offset, long length, CancellationToken cancellationToken) =>
        inner.Blobs.StageBlockFromUriAsync(blobName, blockId, source, offset, length, cancellationToken);

    public Task CommitBlocksAsync(string blobName, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken) =>
        inner.Blobs.CommitBlocksAsync(blobName, blockIds, contentType, cancellationToken);

    public Task<bool> CreateIfAbsentAsync(string blobName, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        inner.Blobs.CreateIfAbsentAsync(blobName, content, contentType, cancellationToken);

    public Task<byte[]?> ReadAllAsync(string blobName, CancellationToken cancellationToken) => inner.Blobs.ReadAllAsync(blobName, cancellationToken);

    public Task<byte[]?> ReadRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken) =>
        inner.Blobs.ReadRangeAsync(blobName, offset, length, cancellationToken);

    public async Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken)
    {
        await hook("blob-delete");
        return await inner.Blobs.DeleteAsync(blobName, cancellationToken);
    }

    public ValueTask<Uri> GetReadUriAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken) =>
        inner.Blobs.GetReadUriAsync(blobName, lifetime, cancellationToken);

    public IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken) => inner.Blobs.ListAsync(prefix, cancellationToken);
}
