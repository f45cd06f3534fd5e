using System.Security.Cryptography;
using System.Text;
using System.Web;
using ServerlessRegistry.Azure.Blob;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>Service and user-delegation SAS strings-to-sign, field by field against the layouts for sv=2025-05-05.</summary>
public sealed class SasTests
{
    private static readonly DateTimeOffset Now = new(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
    private static readonly byte[] Key = Convert.FromBase64String(Azurite.AccountKey);

    internal static readonly UserDelegationKey DelegationKey = new(
        SignedOid: "11111111-1111-1111-1111-111111111111",
        SignedTid: "22222222-2222-2222-2222-222222222222",
        SignedStart: "2024-01-02T02:59:05Z",
        SignedExpiry: "2024-01-04T03:04:05Z",
        SignedService: "b",
        SignedVersion: "2025-05-05",
        Value: Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));

    private static string Hmac(byte[] key, string text) => Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void ServiceSasStringToSignHasSixteenFieldsInOrder()
    {
        const string expected =
            "r\n" +                                   // sp
            "2024-01-02T02:59:05Z\n" +                // st: now - 5 min, no fraction
            "2024-01-02T04:04:05Z\n" +                // se
            "/blob/devstoreaccount1/c1/data/abc\n" +  // canonicalized resource, account once
            "\n" +                                    // si
            "\n" +                                    // sip
            "https,http\n" +                          // spr
            "2025-05-05\n" +                          // sv
            "b\n" +                                   // sr
            "\n" +                                    // snapshot time
            "\n" +                                    // ses
            "\n\n\n\n";                               // rscc, rscd, rsce, rscl, rsct (last has no newline)

        Assert.Equal(expected, BlobSas.StringToSign(
            "2024-01-02T02:59:05Z", "2024-01-02T04:04:05Z", "/blob/devstoreaccount1/c1/data/abc", "https,http"));
        Assert.Equal(16, expected.Split('\n').Length);
    }

    [Fact]
    public async Task ServiceSasQueryEncodesEveryValueAndSignsTheDecodedOnes()
    {
        var signer = new BlobSas(Azurite.AccountName, Key, https: false, new BlobFixedTime(Now));

        var query = await signer.SignReadAsync("c1", "data/abc", TimeSpan.FromHours(1), default);

        Assert.StartsWith("sv=2025-05-05&sr=b&sp=r&st=2024-01-02T02%3A59%3A05Z&se=2024-01-02T04%3A04%3A05Z&spr=https%2Chttp&sig=", query, StringComparison.Ordinal);
        var rawSig = query[(query.IndexOf("&sig=", StringComparison.Ordinal) + 5)..];
        Assert.DoesNotContain('+', rawSig);
        Assert.DoesNotContain('/', rawSig);
        Assert.DoesNotContain('=', rawSig);
        Assert.EndsWith("%3D", rawSig, StringComparison.Ordinal); // a 32-byte HMAC always ends in one '=' pad
        var expected = BlobSas.StringToSign("2024-01-02T02:59:05Z", "2024-01-02T04:04:05Z", "/blob/devstoreaccount1/c1/data/abc", "https,http");
        Assert.Equal(Hmac(Key, expected), HttpUtility.ParseQueryString(query)["sig"]);
    }

    [Fact]
    public async Task ServiceSasOnAnHttpsEndpointIsHttpsOnly()
    {
        var query = await new BlobSas("acct", Key, https: true, new BlobFixedTime(Now)).SignReadAsync("c1", "data/abc", TimeSpan.FromMinutes(1), default);
        Assert.Equal("https", HttpUtility.ParseQueryString(query)["spr"]);
    }

    [Fact]
    public void UserDelegationSasStringToSignHasTwentyFourFieldsInOrder()
    {
        const string expected =
            "r\n" +                                       // sp
            "2024-01-02T02:59:05Z\n" +                    // st
            "2024-01-02T04:04:05Z\n" +                    // se
            "/blob/acct/c1/manifests/sha256/ab\n" +       // canonicalized resource
            "11111111-1111-1111-1111-111111111111\n" +    // skoid
            "22222222-2222-2222-2222-222222222222\n" +    // sktid
            "2024-01-02T02:59:05Z\n" +                    // skt, verbatim
            "2024-01-04T03:04:05Z\n" +                    // ske, verbatim
            "b\n" +                                       // sks
            "2025-05-05\n" +                              // skv
            "\n" +                                        // saoid
            "\n" +                                        // suoid
            "\n" +                                        // scid
            "\n" +                                        // sip
            "https\n" +                                   // spr
            "2025-05-05\n" +                              // sv
            "b\n" +                                       // sr
            "\n" +                                        // snapshot time
            "\n" +                                        // ses
            "\n\n\n\n";                                   // rscc, rscd, rsce, rscl, rsct

        Assert.Equal(expected, UserDelegationSas.StringToSign(
            "2024-01-02T02:59:05Z", "2024-01-02T04:04:05Z", "/blob/acct/c1/manifests/sha256/ab", DelegationKey, "https"));
        Assert.Equal(24, expected.Split('\n').Length);
    }

    [Fact]
    public void SasTimesDropFractionalSeconds() =>
        Assert.Equal("2024-01-02T03:04:05Z", BlobSas.FormatTime(Now.ToOffset(TimeSpan.FromHours(2))));
}
