using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Azure.Blob;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>The Blob Shared Key string-to-sign, checked against strings derived by hand from the REST docs.</summary>
public sealed class SharedKeyBlobTests
{
    private static readonly DateTimeOffset Now = new(2024, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);
    private static readonly HttpPipeline Bare = new(HttpClientTransport.Shared);

    private static HttpMessage NewMessage(RequestMethod method, string url)
    {
        var message = Bare.CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(url));
        message.Request.Headers.SetValue("x-ms-version", "2025-05-05");
        return message;
    }

    private static string Sign(HttpMessage message)
    {
        new SharedKeyBlobPolicy(Azurite.AccountName, Convert.FromBase64String(Azurite.AccountKey), new BlobFixedTime(Now)).OnSendingRequest(message);
        Assert.True(message.Request.Headers.TryGetValue("Authorization", out var authorization));
        return authorization;
    }

    private static string ExpectedAuthorization(string stringToSign) =>
        "SharedKey devstoreaccount1:" +
        Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(Azurite.AccountKey), Encoding.UTF8.GetBytes(stringToSign)));

    [Fact]
    public void PutBlockOnTheEmulatorSignsLengthDecodedBlockIdAndDoubledAccount()
    {
        using var message = NewMessage(RequestMethod.Put, "http://127.0.0.1:10000/devstoreaccount1/c1/data/abc?comp=block&blockid=AAAAAQAAAAA%3D");
        var request = message.Request;
        request.Content = RequestContent.Create(new byte[] { 1, 2, 3, 4, 5 });

        var authorization = Sign(message);

        const string expected =
            "PUT\n" +
            "\n" +          // Content-Encoding
            "\n" +          // Content-Language
            "5\n" +         // Content-Length
            "\n" +          // Content-MD5
            "\n" +          // Content-Type: none sent, none signed
            "\n" +          // Date: empty because x-ms-date is sent
            "\n\n\n\n" +    // If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since
            "\n" +          // Range
            "x-ms-date:Tue, 02 Jan 2024 03:04:05 GMT\n" +
            "x-ms-version:2025-05-05\n" +
            "/devstoreaccount1/devstoreaccount1/c1/data/abc\n" +
            "blockid:AAAAAQAAAAA=\n" +
            "comp:block";
        Assert.Equal(expected, SharedKeyBlobPolicy.StringToSign(request, "devstoreaccount1"));
        Assert.Equal(ExpectedAuthorization(expected), authorization);
    }

    [Fact]
    public void ZeroLengthBodyLeavesTheContentLengthLineEmpty()
    {
        using var message = NewMessage(RequestMethod.Put, "https://acct.blob.core.windows.net/c1?restype=container");
        var request = message.Request;
        request.Content = RequestContent.Create(Array.Empty<byte>());
        Sign(message);

        Assert.Equal(
            "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Tue, 02 Jan 2024 03:04:05 GMT\nx-ms-version:2025-05-05\n/acct/c1\nrestype:container",
            SharedKeyBlobPolicy.StringToSign(request, "acct"));
    }

    [Fact]
    public void ContentTypeConditionsAndHeadersAreSignedInTheirPlaces()
    {
        using var message = NewMessage(RequestMethod.Put, "https://acct.blob.core.windows.net/c1/manifests/sha256/ab");
        var request = message.Request;
        request.Headers.SetValue("x-ms-blob-type", "BlockBlob");
        request.Headers.SetValue("x-ms-blob-content-type", "application/json");
        request.Headers.SetValue("If-None-Match", "*");
        request.Headers.SetValue("Content-Type", "application/xml");
        request.Content = RequestContent.Create(new byte[10]);
        Sign(message);

        Assert.Equal(
            "PUT\n\n\n10\n\napplication/xml\n\n\n\n*\n\n\n" +
            "x-ms-blob-content-type:application/json\nx-ms-blob-type:BlockBlob\n" +
            "x-ms-date:Tue, 02 Jan 2024 03:04:05 GMT\nx-ms-version:2025-05-05\n" +
            "/acct/c1/manifests/sha256/ab",
            SharedKeyBlobPolicy.StringToSign(request, "acct"));
    }

    [Fact]
    public void ListQueryIsSortedAndDecoded()
    {
        using var message = NewMessage(RequestMethod.Get, "https://acct.blob.core.windows.net/c1?restype=container&comp=list&prefix=data%2F&marker=2%213%21x&maxresults=2&include=uncommittedblobs");
        var request = message.Request;
        Sign(message);

        Assert.EndsWith(
            "/acct/c1\ncomp:list\ninclude:uncommittedblobs\nmarker:2!3!x\nmaxresults:2\nprefix:data/\nrestype:container",
            SharedKeyBlobPolicy.StringToSign(request, "acct"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutBlockEncodesTheBlockIdOnTheWireAndSignsItDecoded()
    {
        string? wireUrl = null;
        string? signed = null;
        var options = new AzureStorageOptions
        {
            BlobEndpoint = new Uri("http://127.0.0.1:10000/devstoreaccount1"),
            TableEndpoint = new Uri("http://127.0.0.1:10002/devstoreaccount1"),
            AccountName = Azurite.AccountName,
            AccountKey = Azurite.AccountKey,
            Transport = new BlobFakeTransport(request =>
            {
                wireUrl = request.Uri.ToUri().AbsoluteUri;
                signed = SharedKeyBlobPolicy.StringToSign(request, Azurite.AccountName);
                return Task.FromResult((201, Array.Empty<byte>()));
            }),
        };
        var rest = BlobRestClient.Create(options, new BlobFixedTime(Now));

        using var message = await rest.PutBlockAsync("c1", "data/abc", "++++////AAE=", new byte[3], default);

        Assert.EndsWith("/devstoreaccount1/c1/data/abc?comp=block&blockid=%2B%2B%2B%2B%2F%2F%2F%2FAAE%3D", wireUrl, StringComparison.Ordinal);
        Assert.EndsWith("/devstoreaccount1/devstoreaccount1/c1/data/abc\nblockid:++++////AAE=\ncomp:block", signed, StringComparison.Ordinal);
        Assert.Contains("\n3\n", signed, StringComparison.Ordinal);
        Assert.Contains("x-ms-client-request-id:", signed, StringComparison.Ordinal);
    }
}
