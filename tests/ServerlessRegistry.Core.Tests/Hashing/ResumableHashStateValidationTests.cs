using System.Buffers.Binary;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Tests.Hashing;

public sealed class ResumableHashStateValidationTests
{
    public static TheoryData<DigestAlgorithm, bool> AlgorithmsAndEngines => HashTestData.AlgorithmsAndEngines;

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void RejectsEveryTruncation(DigestAlgorithm algorithm, bool native)
    {
        var state = SavedAfter(algorithm, 200);
        for (var length = 0; length < state.Length; length++)
        {
            AssertRejected(state[..length], native);
        }
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void RejectsTrailingBytes(DigestAlgorithm algorithm, bool native) =>
        AssertRejected([.. SavedAfter(algorithm, 200), 0], native);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(255)]
    public void RejectsUnknownFormatVersion(byte version)
    {
        var state = SavedAfter(DigestAlgorithm.Sha256, 10);
        state[0] = version;
        AssertRejected(state, native: true);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void RejectsUnknownAlgorithm(byte algorithm)
    {
        var state = SavedAfter(DigestAlgorithm.Sha256, 10);
        state[1] = algorithm;
        AssertRejected(state, native: true);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256, 2)]
    [InlineData(DigestAlgorithm.Sha512, 1)]
    public void RejectsAStateLabelledWithTheOtherAlgorithm(DigestAlgorithm algorithm, byte otherId)
    {
        var state = SavedAfter(algorithm, 10);
        state[1] = otherId;
        AssertRejected(state, native: true);
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void RejectsALengthInconsistentWithThePendingBytes(DigestAlgorithm algorithm, bool native)
    {
        var state = SavedAfter(algorithm, 200);
        BinaryPrimitives.WriteInt64LittleEndian(state.AsSpan(2), 201);
        AssertRejected(state, native);
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void RejectsAWholeBlockOfPendingBytes(DigestAlgorithm algorithm, bool native)
    {
        var blockSize = algorithm == DigestAlgorithm.Sha512 ? 128 : 64;
        var state = SavedAfter(algorithm, blockSize - 1);
        state = [.. state, 0];
        state[2] = (byte)blockSize;
        state[^(blockSize + 1)] = (byte)blockSize;
        AssertRejected(state, native);
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void RejectsAShortMessageWhoseChainingValueIsNotTheInitialValue(DigestAlgorithm algorithm, bool native)
    {
        var state = SavedAfter(algorithm, 5);
        state[12] ^= 1;
        AssertRejected(state, native);
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256, 1L << 61)]
    [InlineData(DigestAlgorithm.Sha512, long.MinValue)]
    public void RejectsALengthBeyondTheAlgorithmLimit(DigestAlgorithm algorithm, long length)
    {
        var state = SavedAfter(algorithm, 0);
        BinaryPrimitives.WriteInt64LittleEndian(state.AsSpan(2), length);
        AssertRejected(state, native: true);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RefusesToAppendPastTheSha256LengthLimit(bool native)
    {
        // A state at the limit is valid; one more byte would overflow the 64-bit bit count.
        var state = SavedAfter(DigestAlgorithm.Sha256, 63 + (5 * 64));
        BinaryPrimitives.WriteInt64LittleEndian(state.AsSpan(2), (1L << 61) - 1);
        using var hash = HashTestData.Restore(state, native);
        Assert.Equal((1L << 61) - 1, hash.BytesHashed);
        Assert.Throws<InvalidOperationException>(() => hash.Append("x"u8));
        hash.Append([]);
        Assert.Equal(DigestAlgorithm.Sha256, hash.Finish().Algorithm);
    }

    private static byte[] SavedAfter(DigestAlgorithm algorithm, int length)
    {
        using var hash = HashTestData.Create(algorithm, native: false);
        hash.Append(HashTestData.RandomBytes(length, length));
        return hash.SaveState();
    }

    private static void AssertRejected(byte[] state, bool native) =>
        Assert.Throws<FormatException>(() => HashTestData.Restore(state, native));
}
