using Azure.Core;
using Azure.Core.Pipeline;
using ServerlessRegistry.Azure.Table;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>Shared Key for Table, checked against signatures computed independently (Python hmac).</summary>
public sealed class MetadataSigningTests
{
    private const string Account = "devstoreaccount1";
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly DateTimeOffset Now = new(2009, 10, 11, 21, 49, 13, TimeSpan.Zero);

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static HttpMessage Sign(RequestMethod method, string url, string? contentType = null)
    {
        var message = new HttpPipeline(HttpClientTransport.Shared).CreateMessage();
        message.Request.Method = method;
        message.Request.Uri.Reset(new Uri(url));
        if (contentType is not null)
        {
            message.Request.Headers.SetValue("Content-Type", contentType);
        }

        new SharedKeyTablePolicy(Account, Key, new ManualTime(Now)).OnSendingRequest(message);
        return message;
    }

    private static string? Header(HttpMessage message, string name) =>
        message.Request.Headers.TryGetValue(name, out var value) ? value : null;

    [Fact]
    public void StringToSignHasFiveLinesWithTheDateNeverEmpty()
    {
        var resource = SharedKeyTablePolicy.CanonicalizedResource(Account, "/devstoreaccount1/t1(PartitionKey='a',RowKey='b')", "");
        Assert.Equal("GET\n\n\nSun, 11 Oct 2009 21:49:13 GMT\n/devstoreaccount1/devstoreaccount1/t1(PartitionKey='a',RowKey='b')",
            SharedKeyTablePolicy.StringToSign("get", null, null, "Sun, 11 Oct 2009 21:49:13 GMT", resource));
    }

    [Theory]
    [InlineData("/acct/Tables", "", "/acct/acct/Tables")]
    [InlineData("/acct/t1()", "?$filter=PartitionKey%20eq%20%27a%27&$top=5&NextPartitionKey=YQ%3D%3D", "/acct/acct/t1()")]
    [InlineData("/acct/", "?restype=service&comp=properties", "/acct/acct/?comp=properties")]
    [InlineData("", "", "/acct/")]
    public void CanonicalizedResourceSignsThePathAndOnlyComp(string path, string query, string expected) =>
        Assert.Equal(expected, SharedKeyTablePolicy.CanonicalizedResource("acct", path, query));

    [Fact]
    public void SignsAPointReadWithTheEncodedPathAsSent()
    {
        using var message = Sign(RequestMethod.Get,
            "http://127.0.0.1:10002/devstoreaccount1/t1repos(PartitionKey='a%27%27b',RowKey='t%3Ax')");

        Assert.Equal("Sun, 11 Oct 2009 21:49:13 GMT", Header(message, "x-ms-date"));
        Assert.Equal("SharedKey devstoreaccount1:MOYLmiTr8sNzQ4jPW2acGkHtJscsbpk8mdb4bjb8t80=", Header(message, "Authorization"));
    }

    [Fact]
    public void SignsTheContentTypeOfAWrite()
    {
        using var message = Sign(RequestMethod.Post, "http://127.0.0.1:10002/devstoreaccount1/Tables", "application/json");

        Assert.Equal("SharedKey devstoreaccount1:5Aln0/EanT/ylb/vVBZ2dYTIpwHD0OjRrfQLEhX4WUo=", Header(message, "Authorization"));
    }

    [Fact]
    public void EachAttemptIsSignedAgainWithAFreshDate()
    {
        var time = new ManualTime(Now);
        var policy = new SharedKeyTablePolicy(Account, Key, time);
        using var message = new HttpPipeline(HttpClientTransport.Shared).CreateMessage();
        message.Request.Uri.Reset(new Uri("http://127.0.0.1:10002/devstoreaccount1/Tables"));
        policy.OnSendingRequest(message);
        var first = Header(message, "Authorization");

        time.Now = Now.AddSeconds(1);
        policy.OnSendingRequest(message);

        Assert.Equal("Sun, 11 Oct 2009 21:49:14 GMT", Header(message, "x-ms-date"));
        Assert.NotEqual(first, Header(message, "Authorization"));
    }
}
