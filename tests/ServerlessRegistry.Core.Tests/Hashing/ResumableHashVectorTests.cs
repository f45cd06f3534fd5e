using System.Text;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Tests.Hashing;

public sealed class ResumableHashVectorTests
{
    private const string Nist448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

    private const string Nist896 =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

    public static TheoryData<DigestAlgorithm, bool> AlgorithmsAndEngines => HashTestData.AlgorithmsAndEngines;

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void HashesTheFips180Vectors(DigestAlgorithm algorithm, bool native)
    {
        string[] messages = ["", "abc", Nist448, Nist896];
        string[] expected = algorithm == DigestAlgorithm.Sha256
            ?
            [
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
            ]
            :
            [
                "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
                "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
                "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
            ];

        for (var i = 0; i < messages.Length; i++)
        {
            using var hash = HashTestData.Create(algorithm, native);
            hash.Append(Encoding.ASCII.GetBytes(messages[i]));
            Assert.Equal(Digest.Prefix(algorithm) + ":" + expected[i], hash.Finish().Value);
        }
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void HashesOneMillionAInOddChunks(DigestAlgorithm algorithm, bool native)
    {
        var expected = algorithm == DigestAlgorithm.Sha256
            ? "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
            : "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";
        var chunk = new byte[999];
        chunk.AsSpan().Fill((byte)'a');

        using var hash = HashTestData.Create(algorithm, native);
        for (var left = 1_000_000; left > 0; left -= chunk.Length)
        {
            hash.Append(chunk.AsSpan(0, Math.Min(left, chunk.Length)));
        }

        Assert.Equal(1_000_000, hash.BytesHashed);
        Assert.Equal(expected, hash.Finish().Hex);
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void MatchesTheFrameworkOnOneLargeAppend(DigestAlgorithm algorithm, bool native)
    {
        var data = HashTestData.RandomBytes(42, (3 << 20) + 77);
        using var hash = HashTestData.Create(algorithm, native);
        hash.Append(data);
        Assert.Equal(HashTestData.ReferenceDigest(algorithm, data), hash.Finish());
    }

    [Theory]
    [MemberData(nameof(AlgorithmsAndEngines))]
    public void AppendDoesNotAllocate(DigestAlgorithm algorithm, bool native)
    {
        var data = HashTestData.RandomBytes(4, 10_000);
        using var hash = HashTestData.Create(algorithm, native);

        // One pass first so one-time static initialisation is not counted.
        for (var i = 0; i < 100; i++)
        {
            hash.Append(data.AsSpan(0, 1 + (i * 97)));
        }

        // The runtime itself may allocate on this thread now and then (a method moving to its optimised code mid-pass), so
        // one pass of three must allocate nothing; an Append that allocates does so in every pass.
        var allocated = new List<long>();
        for (var pass = 0; pass < 3 && (allocated.Count == 0 || allocated[^1] != 0); pass++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                hash.Append(data.AsSpan(0, 1 + (i * 97)));
            }

            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(allocated[^1] == 0, $"bytes allocated per pass: {string.Join(", ", allocated)}");
    }
}
