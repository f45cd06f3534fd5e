using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Tests.Parsing;

/// <summary>Digest strings: the spec's grammar, and the canonical form of the two algorithms the registry computes.</summary>
public sealed class DigestTests
{
    private static readonly string Hex64 = new('a', 64);

    [Theory]
    [InlineData("sha256", 64, DigestAlgorithm.Sha256)]
    [InlineData("sha512", 128, DigestAlgorithm.Sha512)]
    public void AcceptsLowerHexOfTheAlgorithmsLength(string prefix, int length, DigestAlgorithm algorithm)
    {
        var text = prefix + ":" + string.Concat(Enumerable.Repeat("0123456789abcdef", length / 16));

        Assert.Equal(DigestParseResult.Ok, Digest.TryParse(text, out var digest));
        Assert.Equal(algorithm, digest.Algorithm);
        Assert.Equal(text, digest.Value);
        Assert.Equal(text[(prefix.Length + 1)..], digest.Hex);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("sha256")]
    [InlineData("sha256:")]
    [InlineData(":aaaa")]
    [InlineData("SHA256:aaaa")]
    [InlineData("sha256 :aaaa")]
    [InlineData("sha256::aaaa")]
    [InlineData("sha256:aa aa")]
    [InlineData("sha256:aa/aa")]
    [InlineData("sha256:aa+aa")]
    [InlineData("sha256:aa.aa")]
    [InlineData("+sha256:aaaa")]
    [InlineData("sha256+:aaaa")]
    [InlineData("sha+-256:aaaa")]
    [InlineData("sha__256:aaaa")]
    public void RejectsTextOutsideTheGrammarAsMalformed(string? text) =>
        Assert.Equal(DigestParseResult.Malformed, Digest.TryParse(text, out _));

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(128)]
    [InlineData(1)]
    public void RejectsSha256WithTheWrongHexLength(int length) =>
        Assert.Equal(DigestParseResult.Malformed, Digest.TryParse("sha256:" + new string('a', length), out _));

    [Theory]
    [InlineData(64)]
    [InlineData(127)]
    [InlineData(129)]
    public void RejectsSha512WithTheWrongHexLength(int length) =>
        Assert.Equal(DigestParseResult.Malformed, Digest.TryParse("sha512:" + new string('a', length), out _));

    [Theory]
    [InlineData('A')]
    [InlineData('F')]
    [InlineData('g')]
    [InlineData('z')]
    [InlineData('=')]
    [InlineData('_')]
    [InlineData('-')]
    public void RejectsSha256WhoseHexHasACharacterOutsideLowerHex(char bad) =>
        Assert.Equal(DigestParseResult.Malformed, Digest.TryParse("sha256:" + bad + Hex64[1..], out _));

    [Fact]
    public void RejectsSha512WithUppercaseHex() =>
        Assert.Equal(DigestParseResult.Malformed, Digest.TryParse("sha512:" + new string('A', 128), out _));

    [Theory]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("sha384:abcd")]
    [InlineData("blake3:abcd")]
    [InlineData("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564")]
    [InlineData("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")]
    [InlineData("sha256.v2:abcd")]
    [InlineData("sha256_x:abc=")]
    public void TellsAWellFormedDigestOfAnotherAlgorithmFromAMalformedOne(string text) =>
        Assert.Equal(DigestParseResult.UnsupportedAlgorithm, Digest.TryParse(text, out _));

    [Fact]
    public void FromHashWritesTheCanonicalForm()
    {
        var digest = Digest.FromHash(DigestAlgorithm.Sha256, new byte[32]);

        Assert.Equal("sha256:" + new string('0', 64), digest.Value);
        Assert.Equal(DigestParseResult.Ok, Digest.TryParse(digest.Value, out var parsed));
        Assert.Equal(digest, parsed);
    }

    [Theory]
    [InlineData("sha256", true, DigestAlgorithm.Sha256)]
    [InlineData("sha512", true, DigestAlgorithm.Sha512)]
    [InlineData("SHA256", false, DigestAlgorithm.Sha256)]
    [InlineData("md5", false, DigestAlgorithm.Sha256)]
    [InlineData("", false, DigestAlgorithm.Sha256)]
    [InlineData(null, false, DigestAlgorithm.Sha256)]
    public void ParsesOnlyTheTwoAlgorithmNames(string? name, bool ok, DigestAlgorithm algorithm)
    {
        Assert.Equal(ok, Digest.TryParseAlgorithm(name, out var parsed));
        Assert.Equal(algorithm, parsed);
    }
}
