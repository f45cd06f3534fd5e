using System.Runtime.CompilerServices;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Testing;

/// <summary>
/// <see cref="IBlobStore"/> in process memory, for logic tests that need no emulator. Stores of the same container
/// name share content, as stores on one account do. Blocks behave as Block Blob blocks: staged, committed by list
/// (a listed id is found among staged blocks first, then among committed ones), discarded when not listed. Read
/// URLs are served by <see cref="InMemoryBlobServer"/>.
/// </summary>
public sealed class InMemoryBlobStore(string container, TimeProvider time) : IBlobStore
{
    public Task StageBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        InMemoryBlobServer.Write(container, containers =>
        {
            var blob = Blob(containers, blobName);
            blob.Staged[blockId] = content.ToArray();
            blob.LastModified = time.GetUtcNow();
        });
        return Task.CompletedTask;
    }

    /// <summary>Process memory has no service-side copy: every source is refused, so callers take their streaming path.</summary>
    public Task<bool> StageBlockFromUriAsync(string blobName, string blockId, Uri source, long offset, long length, CancellationToken cancellationToken) =>
        Task.FromResult(false);

    public Task CommitBlocksAsync(string blobName, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken)
    {
        InMemoryBlobServer.Write(container, containers =>
        {
            var blob = Blob(containers, blobName);
            var blocks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var id in blockIds)
            {
                blocks[id] = blob.Staged.GetValueOrDefault(id) ?? blob.CommittedBlocks.GetValueOrDefault(id)
                    ?? throw new StorageException($"Put Block List: block {id} of {blobName} was never staged.", 400, "InvalidBlockList");
            }

            blob.Content = blockIds.SelectMany(id => blocks[id]).ToArray();
            blob.CommittedBlocks = blocks;
            blob.Staged.Clear();
            blob.LastModified = time.GetUtcNow();
        });
        return Task.CompletedTask;
    }

    public Task<bool> CreateIfAbsentAsync(string blobName, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken)
    {
        var created = false;
        InMemoryBlobServer.Write(container, containers =>
        {
            var blob = Blob(containers, blobName);
            if (blob.Content is null)
            {
                // Put Blob discards uncommitted blocks.
                blob.Content = content.ToArray();
                blob.CommittedBlocks = new Dictionary<string, byte[]>(StringComparer.Ordinal);
                blob.Staged.Clear();
                blob.LastModified = time.GetUtcNow();
                created = true;
            }
        });
        return Task.FromResult(created);
    }

    public Task<byte[]?> ReadAllAsync(string blobName, CancellationToken cancellationToken) =>
        Task.FromResult(InMemoryBlobServer.Read(container, blobName)?.ToArray());

    public Task<byte[]?> ReadRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var content = InMemoryBlobServer.Read(container, blobName);
        return Task.FromResult(content is null ? null
            : offset >= content.Length ? []
            : content.AsSpan((int)offset, (int)Math.Min(length, content.Length - offset)).ToArray());
    }

    public Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken)
    {
        var deleted = false;
        InMemoryBlobServer.Write(container, containers =>
        {
            // Like the service: only a committed blob can be deleted; an uncommitted one is "not found".
            if (containers.TryGetValue(blobName, out var blob) && blob.Content is not null)
            {
                deleted = containers.Remove(blobName);
            }
        });
        return Task.FromResult(deleted);
    }

    public ValueTask<Uri> GetReadUriAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        return ValueTask.FromResult(InMemoryBlobServer.ReadUri(container, blobName, time.GetUtcNow() + lifetime));
    }

    public async IAsyncEnumerable<StoredBlob> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var blob in InMemoryBlobServer.List(container, prefix))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return blob;
        }

        await Task.CompletedTask;
    }

    private static InMemoryBlob Blob(Dictionary<string, InMemoryBlob> containers, string name)
    {
        if (!containers.TryGetValue(name, out var blob))
        {
            containers[name] = blob = new InMemoryBlob();
        }

        return blob;
    }
}

/// <summary>One blob: committed content and blocks (null content while only staged blocks exist), and staged blocks.</summary>
internal sealed class InMemoryBlob
{
    public byte[]? Content { get; set; }
    public Dictionary<string, byte[]> CommittedBlocks { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, byte[]> Staged { get; } = new(StringComparer.Ordinal);
    public DateTimeOffset LastModified { get; set; }
}
