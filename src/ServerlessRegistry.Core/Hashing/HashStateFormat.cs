using System.Buffers.Binary;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Hashing;

/// <summary>
/// The portable saved state, identical for every engine so a state saved on one machine restores on another:
/// <code>
/// [0]        format version (1)
/// [1]        algorithm (1 = sha256, 2 = sha512)
/// [2..10)    message length so far in bytes, uint64 little-endian
/// [10..10+S) chaining value, 8 words big-endian (S = 32 for sha256, 64 for sha512)
/// [10+S]     pending byte count P (less than the block size, equal to length mod block size)
/// [11+S..)   the P pending bytes; nothing follows
/// </code>
/// The state comes back from storage, so parsing trusts nothing and throws <see cref="FormatException"/>.
/// </summary>
internal static class HashStateFormat
{
    public const byte Version = 1;
    private const byte Sha256Id = 1;
    private const byte Sha512Id = 2;
    private const int HeaderSize = 10;

    public static int BlockSize(DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha512 ? 128 : 64;

    public static int ChainingSize(DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha512 ? 64 : 32;

    /// <summary>
    /// The longest message the padding can encode, in bytes: 2^64 - 1 bits for sha256; for sha512 (2^128 - 1 bits)
    /// the <c>long</c> length is the limit.
    /// </summary>
    public static long MaxBytes(DigestAlgorithm algorithm) =>
        algorithm == DigestAlgorithm.Sha512 ? long.MaxValue : (long)(ulong.MaxValue >> 3);

    public static int SizeOf(DigestAlgorithm algorithm, int pendingCount) =>
        HeaderSize + ChainingSize(algorithm) + 1 + pendingCount;

    public static byte[] Write(
        DigestAlgorithm algorithm, long bytesHashed, ReadOnlySpan<byte> chainingValue, ReadOnlySpan<byte> pending)
    {
        var state = new byte[SizeOf(algorithm, pending.Length)];
        state[0] = Version;
        state[1] = algorithm == DigestAlgorithm.Sha512 ? Sha512Id : Sha256Id;
        BinaryPrimitives.WriteInt64LittleEndian(state.AsSpan(2), bytesHashed);
        chainingValue.CopyTo(state.AsSpan(HeaderSize));
        var at = HeaderSize + chainingValue.Length;
        state[at] = (byte)pending.Length;
        pending.CopyTo(state.AsSpan(at + 1));
        return state;
    }

    public static Parsed Parse(ReadOnlySpan<byte> state)
    {
        if (state.Length < 2)
        {
            throw Invalid("it is truncated");
        }

        if (state[0] != Version)
        {
            throw Invalid($"format version {state[0]} is not supported");
        }

        var algorithm = state[1] switch
        {
            Sha256Id => DigestAlgorithm.Sha256,
            Sha512Id => DigestAlgorithm.Sha512,
            _ => throw Invalid($"algorithm id {state[1]} is unknown"),
        };

        var chainingSize = ChainingSize(algorithm);
        if (state.Length < SizeOf(algorithm, 0))
        {
            throw Invalid("it is truncated");
        }

        var bytesHashed = BinaryPrimitives.ReadUInt64LittleEndian(state[2..]);
        var chainingValue = state.Slice(HeaderSize, chainingSize);
        int pendingCount = state[HeaderSize + chainingSize];
        var blockSize = BlockSize(algorithm);
        if (pendingCount >= blockSize)
        {
            throw Invalid($"{pendingCount} pending bytes do not fit a {blockSize}-byte block");
        }

        var expected = SizeOf(algorithm, pendingCount);
        if (state.Length != expected)
        {
            throw Invalid(state.Length < expected ? "it is truncated" : "it has trailing bytes");
        }

        if (bytesHashed > (ulong)MaxBytes(algorithm))
        {
            throw Invalid($"length {bytesHashed} exceeds what {Digest.Prefix(algorithm)} can hash");
        }

        if ((int)(bytesHashed % (ulong)blockSize) != pendingCount)
        {
            throw Invalid($"{pendingCount} pending bytes are inconsistent with a length of {bytesHashed}");
        }

        // Before the first full block nothing has been compressed, so anything but the initial value is corruption.
        if (bytesHashed < (ulong)blockSize && !chainingValue.SequenceEqual(InitialValue(algorithm)))
        {
            throw Invalid("the chaining value of a message shorter than one block must be the initial value");
        }

        return new Parsed(algorithm, (long)bytesHashed, chainingValue, state[(expected - pendingCount)..]);
    }

    /// <summary>The FIPS 180-4 initial hash values, as big-endian bytes.</summary>
    public static ReadOnlySpan<byte> InitialValue(DigestAlgorithm algorithm) =>
        algorithm == DigestAlgorithm.Sha512 ? Sha512Initial : Sha256Initial;

    private static ReadOnlySpan<byte> Sha256Initial =>
    [
        0x6a, 0x09, 0xe6, 0x67, 0xbb, 0x67, 0xae, 0x85, 0x3c, 0x6e, 0xf3, 0x72, 0xa5, 0x4f, 0xf5, 0x3a,
        0x51, 0x0e, 0x52, 0x7f, 0x9b, 0x05, 0x68, 0x8c, 0x1f, 0x83, 0xd9, 0xab, 0x5b, 0xe0, 0xcd, 0x19,
    ];

    private static ReadOnlySpan<byte> Sha512Initial =>
    [
        0x6a, 0x09, 0xe6, 0x67, 0xf3, 0xbc, 0xc9, 0x08, 0xbb, 0x67, 0xae, 0x85, 0x84, 0xca, 0xa7, 0x3b,
        0x3c, 0x6e, 0xf3, 0x72, 0xfe, 0x94, 0xf8, 0x2b, 0xa5, 0x4f, 0xf5, 0x3a, 0x5f, 0x1d, 0x36, 0xf1,
        0x51, 0x0e, 0x52, 0x7f, 0xad, 0xe6, 0x82, 0xd1, 0x9b, 0x05, 0x68, 0x8c, 0x2b, 0x3e, 0x6c, 0x1f,
        0x1f, 0x83, 0xd9, 0xab, 0xfb, 0x41, 0xbd, 0x6b, 0x5b, 0xe0, 0xcd, 0x19, 0x13, 0x7e, 0x21, 0x79,
    ];

    private static FormatException Invalid(string reason) => new($"The saved hash state is invalid: {reason}.");

    /// <summary>A validated state; its spans point into the input.</summary>
    public readonly ref struct Parsed(
        DigestAlgorithm algorithm, long bytesHashed, ReadOnlySpan<byte> chainingValue, ReadOnlySpan<byte> pending)
    {
        public DigestAlgorithm Algorithm { get; } = algorithm;

        public long BytesHashed { get; } = bytesHashed;

        public ReadOnlySpan<byte> ChainingValue { get; } = chainingValue;

        public ReadOnlySpan<byte> Pending { get; } = pending;
    }
}
