using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events.Replication;

/// <summary>
/// A stored blob read forward in ranges through the blob store port, so an upload of any size holds one range in memory.
/// Not seekable; one reader.
/// </summary>
internal sealed class StoredBlobStream(IBlobStore blobs, string blobName, long length) : Stream
{
    /// <summary>Range size: large enough that a layer costs few storage reads.</summary>
    public const int RangeSize = 4 * 1024 * 1024;

    private byte[] _buffer = [];
    private int _offsetInBuffer;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_offsetInBuffer == _buffer.Length)
        {
            if (_position >= length)
            {
                return 0;
            }

            var want = (int)Math.Min(RangeSize, length - _position);
            _buffer = await blobs.ReadRangeAsync(blobName, _position, want, cancellationToken).ConfigureAwait(false)
                      ?? throw new IOException($"stored blob {blobName} is missing");
            _offsetInBuffer = 0;
            if (_buffer.Length == 0)
            {
                // Shorter than its recorded size: the upload must fail rather than send a truncated blob.
                throw new IOException($"stored blob {blobName} ends at {_position} bytes, {length} expected");
            }
        }

        var n = Math.Min(buffer.Length, _buffer.Length - _offsetInBuffer);
        _buffer.AsMemory(_offsetInBuffer, n).CopyTo(buffer);
        _offsetInBuffer += n;
        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
