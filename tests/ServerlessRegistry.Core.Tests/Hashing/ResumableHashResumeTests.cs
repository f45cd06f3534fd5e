using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Tests.Hashing;

public sealed class ResumableHashResumeTests
{
    public static TheoryData<DigestAlgorithm, bool> AlgorithmsAndEngines => HashTestData.AlgorithmsAndEngines;

    public static TheoryData<DigestAlgorithm, bool, bool> AlgorithmsAndEnginePairs => new()
    {
        { DigestAlgorithm.Sha256, true, true },
        { DigestAlgorithm.Sha256, true, false },
        { DigestAlgorithm.Sha256, false, true },
        { DigestAlgorithm.Sha256, false, false },
        { DigestAlgorithm.Sha512, true, true },
        { DigestAlgorithm.Sha512, true, false },
        { DigestAlgorithm.Sha512, false, true },
        { DigestAlgorithm.Sha512, false, false },
    };

    [Fact]
    public void UsesLibcryptoOnThisMachine() => Assert.True(ResumableHash.IsNative);

    [Fact]
    public void NativeContextStructsMatchOpenSslLayout()
    {
        Assert.Equal(112, Unsafe.SizeOf<Sha256Ctx>());
        Assert.Equal(104, (int)Marshal.OffsetOf<Sha256Ctx>(nameof(Sha256Ctx.Num)));
        Assert.Equal(216, Unsafe.SizeOf<Sha512Ctx>());
        Assert.Equal(208, (int)Marshal.OffsetOf<Sha512Ctx>(nameof(Sha512Ctx.Num)));
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void RandomChunksWithSaveAndRestoreAcrossEnginesMatchTheFramework(DigestAlgorithm algorithm, bool native)
    {
        var random = new Random(7);
        var data = HashTestData.RandomBytes(1, 300_000);
        var hash = HashTestData.Create(algorithm, native);
        for (var at = 0; at < data.Length;)
        {
            // Mostly small chunks so block boundaries land everywhere, some large ones for the bulk path.
            var size = Math.Min(data.Length - at, random.Next(10) == 0 ? random.Next(20_000) : random.Next(300));
            hash.Append(data.AsSpan(at, size));
            at += size;

            var state = hash.SaveState();
            hash.Dispose();
            native = !native;
            hash = HashTestData.Restore(state, native);
            Assert.Equal(at, hash.BytesHashed);
        }

        Assert.Equal(HashTestData.ReferenceDigest(algorithm, data), hash.Finish());
        hash.Dispose();
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEnginePairs))]
    public void StateSavedAtEveryLengthUpTo300Restores(DigestAlgorithm algorithm, bool savedNative, bool restoredNative)
    {
        var data = HashTestData.RandomBytes(2, 400);
        var expected = HashTestData.ReferenceDigest(algorithm, data);
        var blockSize = algorithm == DigestAlgorithm.Sha512 ? 128 : 64;
        for (var length = 0; length <= 300; length++)
        {
            using var saved = HashTestData.Create(algorithm, savedNative);
            saved.Append(data.AsSpan(0, length));
            var state = saved.SaveState();
            Assert.Equal(2 + 8 + (blockSize / 2) + 1 + (length % blockSize), state.Length);

            using var restored = HashTestData.Restore(state, restoredNative);
            Assert.Equal(algorithm, restored.Algorithm);
            Assert.Equal(length, restored.BytesHashed);
            restored.Append(data.AsSpan(length));
            Assert.Equal(expected, restored.Finish());

            // Saving must not have disturbed the original.
            saved.Append(data.AsSpan(length));
            Assert.Equal(expected, saved.Finish());
        }
    }

    [Theory]
    [InlineData(DigestAlgorithm.Sha256)]
    [InlineData(DigestAlgorithm.Sha512)]
    public void NativeAndManagedEnginesSaveIdenticalStates(DigestAlgorithm algorithm)
    {
        // Byte-for-byte equality is what proves the OpenSSL context layout is read and written correctly.
        var data = HashTestData.RandomBytes(3, 70_000);
        int[] lengths = [.. Enumerable.Range(0, 300), 4095, 4096, 65_537, 70_000];
        foreach (var length in lengths)
        {
            using var native = HashTestData.Create(algorithm, native: true);
            using var managed = HashTestData.Create(algorithm, native: false);
            native.Append(data.AsSpan(0, length));
            managed.Append(data.AsSpan(0, length));
            Assert.Equal(managed.SaveState(), native.SaveState());
        }
    }

    [Fact]
    public void SavedStateHasTheDocumentedLayout()
    {
        using var hash = HashTestData.Create(DigestAlgorithm.Sha256, native: true);
        hash.Append("abc"u8);
        byte[] expected =
        [
            1, 1, 3, 0, 0, 0, 0, 0, 0, 0,
            0x6a, 0x09, 0xe6, 0x67, 0xbb, 0x67, 0xae, 0x85, 0x3c, 0x6e, 0xf3, 0x72, 0xa5, 0x4f, 0xf5, 0x3a,
            0x51, 0x0e, 0x52, 0x7f, 0x9b, 0x05, 0x68, 0x8c, 0x1f, 0x83, 0xd9, 0xab, 0x5b, 0xe0, 0xcd, 0x19,
            3, (byte)'a', (byte)'b', (byte)'c',
        ];
        Assert.Equal(expected, hash.SaveState());
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void FinishingEndsTheHash(DigestAlgorithm algorithm, bool native)
    {
        using var hash = HashTestData.Create(algorithm, native);
        hash.Append("abc"u8);
        hash.Finish();

        Assert.Equal(3, hash.BytesHashed);
        Assert.Throws<InvalidOperationException>(() => hash.Finish());
        Assert.Throws<InvalidOperationException>(() => hash.Append("d"u8));
        Assert.Throws<InvalidOperationException>(() => hash.SaveState());
        hash.Dispose();
        hash.Dispose();
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void DisposingIsIdempotentAndEndsTheHash(DigestAlgorithm algorithm, bool native)
    {
        var hash = HashTestData.Create(algorithm, native);
        hash.Append("abc"u8);
        hash.Dispose();
        hash.Dispose();

        Assert.Equal(3, hash.BytesHashed);
        Assert.Throws<ObjectDisposedException>(() => hash.Append("d"u8));
        Assert.Throws<ObjectDisposedException>(() => hash.Finish());
    }

    [Fact]
    public void DefaultFactoriesHashCorrectly()
    {
        using var hash = ResumableHash.Create(DigestAlgorithm.Sha512);
        hash.Append("ab"u8);
        using var restored = ResumableHash.Restore(hash.SaveState());
        restored.Append("c"u8);
        Assert.Equal(HashTestData.ReferenceDigest(DigestAlgorithm.Sha512, "abc"u8), restored.Finish());
    }
}
