using System.Buffers.Binary;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Hashing;

/// <summary>
/// What the two managed SHA-2 engines share: the pending partial block, the byte count, the FIPS 180-4 padding and
/// the export/import of state. A subclass supplies only its word width, through the chaining value's big-endian
/// bytes, and its compression function.
/// </summary>
internal abstract class ManagedShaEngine : HashEngine
{
    private readonly byte[] _pending;
    private int _pendingCount;
    private long _bytesHashed;

    protected ManagedShaEngine(DigestAlgorithm algorithm, int blockSize)
        : base(algorithm) => _pending = new byte[blockSize];

    private int BlockSize => _pending.Length;

    public sealed override long BytesHashed => _bytesHashed;

    /// <summary>Runs the compression function over whole blocks (a multiple of the block size, possibly none).</summary>
    protected abstract void Compress(ReadOnlySpan<byte> blocks);

    /// <summary>Writes the chaining value as big-endian words (as long as the digest).</summary>
    protected abstract void WriteChainingValue(Span<byte> destination);

    /// <summary>Replaces the chaining value with big-endian words.</summary>
    protected abstract void ReadChainingValue(ReadOnlySpan<byte> source);

    public sealed override void Append(ReadOnlySpan<byte> data)
    {
        _bytesHashed += data.Length;
        if (_pendingCount > 0)
        {
            var take = Math.Min(BlockSize - _pendingCount, data.Length);
            data[..take].CopyTo(_pending.AsSpan(_pendingCount));
            _pendingCount += take;
            data = data[take..];
            if (_pendingCount < BlockSize)
            {
                return;
            }

            Compress(_pending);
            _pendingCount = 0;
        }

        var whole = data.Length & ~(BlockSize - 1);
        Compress(data[..whole]);
        data[whole..].CopyTo(_pending);
        _pendingCount = data.Length - whole;
    }

    public sealed override void Finish(Span<byte> hash)
    {
        // Padding: 0x80, zeros, then the length in bits as a big-endian integer (64 bits for SHA-256, 128 for
        // SHA-512, i.e. an eighth of the block) closing the last block.
        var lengthField = BlockSize / 8;
        Span<byte> tail = stackalloc byte[2 * BlockSize];
        tail.Clear();
        _pending.AsSpan(0, _pendingCount).CopyTo(tail);
        tail[_pendingCount] = 0x80;
        var length = _pendingCount + 1 + lengthField <= BlockSize ? BlockSize : 2 * BlockSize;
        if (lengthField == 16)
        {
            BinaryPrimitives.WriteUInt64BigEndian(tail[(length - 16)..], (ulong)_bytesHashed >> 61);
        }

        BinaryPrimitives.WriteUInt64BigEndian(tail[(length - 8)..], (ulong)_bytesHashed << 3);
        Compress(tail[..length]);
        WriteChainingValue(hash);
    }

    public sealed override int Export(Span<byte> chainingValue, Span<byte> pending)
    {
        WriteChainingValue(chainingValue);
        _pending.AsSpan(0, _pendingCount).CopyTo(pending);
        return _pendingCount;
    }

    public sealed override void Import(long bytesHashed, ReadOnlySpan<byte> chainingValue, ReadOnlySpan<byte> pending)
    {
        ReadChainingValue(chainingValue);
        pending.CopyTo(_pending);
        _pendingCount = pending.Length;
        _bytesHashed = bytesHashed;
    }
}
