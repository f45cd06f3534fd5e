using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>Passes calls through, except that ranged reads fail while <see cref="FailReads"/> is set: a storage outage at that point.</summary>
internal sealed class FaultyBlobStore(IBlobStore inner) : IBlobStore
{
    public bool FailReads { get; set; }

    /// <summary>Ranged reads that failed.</summary>
    public int Failed { get; private set; }

    public Task<byte[]?> ReadRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken)
    {
        if (FailReads)
        {
            Failed++;
            throw new StorageException("injected outage", 503, "ServerBusy", failure: StorageFailure.Unavailable);
        }

        return inner.ReadRangeAsync(blobName, offset, length, cancellationToken);
    }

    public Task StageBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        inner.StageBlockAsync(blobName, blockId, content, cancellationToken);

    public Task<bool> StageBlockFromUriAsync(string blobName, string blockId, Uri source, long offset, long length, CancellationToken cancellationToken) =>
        inner.StageBlockFromUriAsync(blobName, blockId, source, offset, length, cancellationToken);

    public Task CommitBlocksAsync(string blobName, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken) =>
        inner.CommitBlocksAsync(blobName, blockIds, contentType, cancellationToken);

    public Task<bool> CreateIfAbsentAsync(string blobName, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        inner.CreateIfAbsentAsync(blobName, content, contentType, cancellationToken);

    public Task<byte[]?> ReadAllAsync(string blobName, CancellationToken cancellationToken) => inner.ReadAllAsync(blobName, cancellationToken);

    public Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken) => inner.DeleteAsync(blobName, cancellationToken);

    public ValueTask<Uri> GetReadUriAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken) =>
        inner.GetReadUriAsync(blobName, lifetime, cancellationToken);

    public IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
