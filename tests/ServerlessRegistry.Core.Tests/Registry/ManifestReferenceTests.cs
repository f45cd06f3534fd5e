using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// A manifest URL's reference: writes refuse a malformed one with the code that says what is wrong; reads answer
/// MANIFEST_UNKNOWN, since no stored manifest can have such a name.
/// </summary>
public sealed class ManifestReferenceTests
{
    private static readonly string Sha256 = "sha256:" + new string('b', 64);
    private static readonly string Sha512 = "sha512:" + new string('c', 128);

    private static readonly (string Value, ErrorKind Kind)[] Malformed =
    [
        (".hidden", ErrorKind.TagInvalid),
        ("-dash", ErrorKind.TagInvalid),
        ("a/b", ErrorKind.TagInvalid),
        ("a b", ErrorKind.TagInvalid),
        (new string('t', 129), ErrorKind.TagInvalid),
        ("", ErrorKind.TagInvalid),
        ("sha256:abc", ErrorKind.DigestInvalid),
        ("sha256:" + new string('B', 64), ErrorKind.DigestInvalid),
        ("sha512:" + new string('c', 64), ErrorKind.DigestInvalid),
        ("md5:d41d8cd98f00b204e9800998ecf8427e", ErrorKind.DigestInvalid),
        ("v1:latest", ErrorKind.DigestInvalid),
        (":", ErrorKind.DigestInvalid),
    ];

    public static TheoryData<string, bool> Valid => new()
    {
        { "latest", false },
        { "v1.0.0-rc_1", false },
        { "_", false },
        { new string('t', 128), false },
        { Sha256, true },
        { Sha512, true },
    };

    public static TheoryData<string, string> InvalidForWrite
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var (value, kind) in Malformed)
            {
                data.Add(value, kind.ToString());
            }

            return data;
        }
    }

    public static TheoryData<string> InvalidForRead
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var (value, _) in Malformed)
            {
                data.Add(value);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Valid))]
    public void ParsesTagsAndDigestsForWrites(string value, bool isDigest) => AssertParsed(ManifestReference.Parse(value), value, isDigest);

    [Theory]
    [MemberData(nameof(Valid))]
    public void ParsesTagsAndDigestsForReads(string value, bool isDigest) => AssertParsed(ManifestReference.ParseForRead(value), value, isDigest);

    [Theory]
    [MemberData(nameof(InvalidForWrite))]
    public void WritesRefuseAMalformedReferenceWithItsOwnCode(string value, string kind) =>
        Assert.Equal(kind, Assert.Throws<RegistryException>(() => ManifestReference.Parse(value)).Kind.ToString());

    [Theory]
    [MemberData(nameof(InvalidForRead))]
    public void ReadsAnswerManifestUnknownForAMalformedReference(string value) =>
        Assert.Equal(ErrorKind.ManifestUnknown, Assert.Throws<RegistryException>(() => ManifestReference.ParseForRead(value)).Kind);

    [Theory]
    [InlineData(null, "invalid digest")]
    [InlineData("sha256:xyz", "invalid digest")]
    [InlineData("sha384:abcd", "unsupported digest algorithm")]
    public void ParseDigestSaysWhetherTheDigestIsMalformedOrOfAnotherAlgorithm(string? value, string message)
    {
        var error = Assert.Throws<RegistryException>(() => ManifestReference.ParseDigest(value));

        Assert.Equal(ErrorKind.DigestInvalid, error.Kind);
        Assert.Equal(message, error.Message);
    }

    private static void AssertParsed(ManifestReference reference, string value, bool isDigest)
    {
        Assert.Equal(value, reference.Value);
        Assert.Equal(isDigest, reference.IsDigest);
        Assert.Equal(isDigest ? value : null, reference.Digest?.Value);
    }
}
