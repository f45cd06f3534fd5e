namespace ServerlessRegistry.Core.Storage;

/// <summary>
/// Content storage: one container of block blobs holding layers, configs and large manifests.
/// Blob and block names come from <see cref="StorageLayout"/>; the store never invents names.
/// </summary>
/// <remarks>
/// Implementations are thread-safe. The container is created lazily by the first write that needs it;
/// no method performs I/O before it is called. Missing blobs are reported as <c>null</c>/<c>false</c>,
/// never as exceptions; backend failures surface as <see cref="StorageException"/>.
/// </remarks>
public interface IBlobStore
{
    /// <summary>
    /// Stages one uncommitted block of <paramref name="blobName"/>. Idempotent: staging the same block id
    /// again replaces that block's content. Block ids of one blob all have the same length.
    /// Concurrent calls for different block ids of the same blob are allowed.
    /// </summary>
    Task StageBlockAsync(string blobName, string blockId, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>
    /// Stages one uncommitted block of <paramref name="blobName"/> from <paramref name="length"/> bytes of
    /// <paramref name="source"/> at <paramref name="offset"/>, copied by the storage service itself (Put Block From
    /// URL): the bytes do not pass through the caller. Returns <c>false</c>, staging nothing, when the backend will not
    /// copy from that source (a backend without service-side copy, a source it cannot reach or read); the caller then
    /// streams the bytes through <see cref="StageBlockAsync"/>. Idempotent like <see cref="StageBlockAsync"/>.
    /// </summary>
    Task<bool> StageBlockFromUriAsync(string blobName, string blockId, Uri source, long offset, long length, CancellationToken cancellationToken);

    /// <summary>
    /// Makes exactly <paramref name="blockIds"/>, in order, the committed content of <paramref name="blobName"/>,
    /// replacing any earlier content; staged blocks that are not listed are discarded. An empty list commits a
    /// zero-length blob. Idempotent for the same list. Fails with <see cref="StorageException"/> when a listed
    /// block was never staged.
    /// </summary>
    Task CommitBlocksAsync(string blobName, IReadOnlyList<string> blockIds, string contentType, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a small blob in one call unless a committed blob of that name exists already.
    /// Returns <c>false</c> (and writes nothing) when it exists. Safe under concurrent callers: exactly one
    /// of several concurrent creators of the same name gets <c>true</c>.
    /// </summary>
    Task<bool> CreateIfAbsentAsync(string blobName, ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken);

    /// <summary>Reads a whole committed blob, or <c>null</c> when it does not exist. Meant for small blobs.</summary>
    Task<byte[]?> ReadAllAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>
    /// Reads up to <paramref name="length"/> bytes of a committed blob from <paramref name="offset"/>: fewer only at
    /// the blob's end, none at or past it. <c>null</c> when the blob does not exist. Lets a caller stream a blob of any
    /// size through a fixed buffer. Read-only; a blob committed again meanwhile may be read partly old, partly new.
    /// </summary>
    Task<byte[]?> ReadRangeAsync(string blobName, long offset, int length, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a committed blob. Idempotent: returns <c>false</c> when there was nothing to delete.
    /// </summary>
    Task<bool> DeleteAsync(string blobName, CancellationToken cancellationToken);

    /// <summary>
    /// A URL that lets its holder read exactly this one blob, and nothing else, until
    /// now + <paramref name="lifetime"/>. Makes no request per call except, on backends that need one,
    /// an occasional cached key refresh.
    /// </summary>
    ValueTask<Uri> GetReadUriAsync(string blobName, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>
    /// Lists blobs whose names start with <paramref name="prefix"/>, in name order, including blobs that have
    /// only uncommitted blocks (their <see cref="StoredBlob.Committed"/> is false). Pages internally.
    /// </summary>
    IAsyncEnumerable<StoredBlob> ListAsync(string prefix, CancellationToken cancellationToken);
}

/// <summary>One listed blob.</summary>
/// <param name="Name">Full blob name inside the container.</param>
/// <param name="Length">Committed length in bytes (0 for an uncommitted-only blob).</param>
/// <param name="LastModified">Last write time as the backend reports it.</param>
/// <param name="Committed">False when the blob holds only uncommitted blocks.</param>
public sealed record StoredBlob(string Name, long Length, DateTimeOffset LastModified, bool Committed);
