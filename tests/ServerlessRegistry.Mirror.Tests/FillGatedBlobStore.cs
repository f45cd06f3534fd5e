using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// Storage that accepts no Put Block until <see cref="Open"/>: storage slower than any upstream, without a sleep.
/// Counts the Put Blocks it accepted. Thread-safe.
/// </summary>
internal sealed class FillGatedBlobStore(IBlobStore inner) : IBlobStore
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _staged;

    /// <summary>Put Blocks that storage has accepted.</summary>
    public int Staged => Volatile.Read(ref _staged);

    /// <summary>Lets every waiting and later Put Block through.</summary>
    public void Open() => _open.TrySetResult();

    public async Task StageBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await _open.Task.WaitAsync(cancellationToken);
        await inner.StageBlockAsync(blobName, blockId, content, cancellationToken);
        Interlocked.Increment(ref _staged);
    }

    public Task<bool> StageBlockFromUriAsync(string blobName, string blockId, Uri source, long offset, long length, CancellationToken cancellationToken) =>
        inner.StageBlockFromUriAsync(blobName, blockId, source, offset, length, cancellationToken);

    public Task CommitBlocksAsync(string blobName, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken) =>
        inner.CommitBlocksAsync(blobName, blockIds, contentType, cancellationToken);

    public Task<bool> CreateIfAbsentAsync(string blobName, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken) =>
        inner.CreateIfAbsentAsync(blobName, content, contentType, cancellationToken);

    public Task<byte[]?> ReadAllAsync(string blobName, CancellationToken cancellationToken) => inner.ReadAllAsync(blobName, cancellationToken);

    public Task<byte[]?> ReadRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken) =>
        inner.ReadRangeAsync(blobName, offset, length, cancellationToken);

    public Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken) => inner.DeleteAsync(blobName, cancellationToken);

    public ValueTask<Uri> GetReadUriAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken) =>
        inner.GetReadUriAsync(blobName, lifetime, cancellationToken);

    public IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);
}
