using System.Net;
using Microsoft.Extensions.Configuration;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>Location values: absolute on the public host behind a proxy or with Registry:PublicUrl, relative otherwise.</summary>
public sealed class PublicAddressTests
{
    [Fact]
    public async Task ProxiedPushAnswersLocationsOnTheForwardedHost()
    {
        await WithRegistryAsync(null, async client =>
        {
            using var start = await client.SendAsync(Forwarded(HttpMethod.Post, "/v2/team/app/blobs/uploads/"));
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            var upload = start.Headers.Location!;
            Assert.Equal("https", upload.Scheme);
            Assert.Equal("registry.example.com", upload.Authority);

            var blob = OciHttp.RandomBytes(1000);
            using var put = await client.SendAsync(Forwarded(HttpMethod.Put, upload.PathAndQuery + "?digest=" + OciHttp.Sha256(blob), new ByteArrayContent(blob)));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal($"https://registry.example.com/v2/team/app/blobs/{OciHttp.Sha256(blob)}", put.Headers.Location!.ToString());
        });
    }

    [Fact]
    public async Task ConfiguredPublicUrlWinsOverTheRequestHost()
    {
        await WithRegistryAsync("https://cr.example.org", async client =>
        {
            using var start = await client.PostAsync("/v2/team/app/blobs/uploads/", null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            Assert.StartsWith("https://cr.example.org/v2/team/app/blobs/uploads/", start.Headers.Location!.ToString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task DirectRequestsKeepRelativeLocations()
    {
        await WithRegistryAsync(null, async client =>
        {
            using var start = await client.PostAsync("/v2/team/app/blobs/uploads/", null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            Assert.StartsWith("/v2/team/app/blobs/uploads/", start.Headers.Location!.OriginalString, StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData("registry.example.com")]
    [InlineData("https://cr.example.org/registry")]
    [InlineData("ftp://cr.example.org")]
    public void PublicUrlMustBeAnAbsoluteHttpUrlWithoutPath(string value)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Registry:PublicUrl"] = value }).Build();
        Assert.Throws<InvalidOperationException>(() => { Hosting.PublicUrlSetting.Resolve(config); });
    }

    private static HttpRequestMessage Forwarded(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Add("X-Forwarded-Host", "registry.example.com");
        request.Headers.Add("X-Forwarded-Proto", "https");
        return request;
    }

    private static async Task WithRegistryAsync(string? publicUrl, Func<HttpClient, Task> test)
    {
        var azurite = await Azurite.GetAsync();
        var prefix = Azurite.NewPrefix();
        try
        {
            await using var registry = await SeedRegistry.StartAsync(azurite, prefix,
                publicUrl is null ? null : new Dictionary<string, string?> { ["Registry:PublicUrl"] = publicUrl });
            await test(registry.Client);
        }
        finally
        {
            await StorageCleanup.DeletePrefixAsync(azurite, prefix);
        }
    }
}
