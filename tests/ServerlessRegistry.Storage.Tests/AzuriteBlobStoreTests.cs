using System.Net;
using System.Web;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>The blob suite on Azurite with Shared Key requests and service SAS read URLs.</summary>
public sealed class AzuriteBlobStoreTests : BlobStoreSuite
{
    protected override bool CopiesFromOwnReadUrls => true;

    protected override async Task<IBlobStore> CreateStoreAsync(StorageLayout layout, TimeProvider time, int listPageSize) =>
        new AzureStorage(BlobTestSupport.EmulatorOptions(await Azurite.GetAsync()), time).CreateBlobStore(layout, listPageSize);

    protected override async Task DeleteContainerAsync(StorageLayout layout) =>
        await BlobTestSupport.DeleteContainerAsync(await Azurite.GetAsync(), layout.Container);

    protected override async Task<bool> ContainerExistsAsync(StorageLayout layout) =>
        await BlobTestSupport.ContainerExistsAsync(await Azurite.GetAsync(), layout.Container);

    [Fact]
    public async Task ReadUriDoesNotAllowAWrite()
    {
        var blob = DataBlob();
        Assert.True(await Store.CreateIfAbsentAsync(blob, Bytes("original"), "text/plain", default));
        var uri = await Store.GetReadUriAsync(blob, TimeSpan.FromMinutes(10), default);

        // A well-formed Put Blob: with write permission it would succeed, so 403 means the SAS refused it.
        using var put = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new ByteArrayContent(Bytes("overwritten")) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        put.Headers.Add("x-ms-version", "2025-05-05");
        using var response = await Http.SendAsync(put);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(Bytes("original"), await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task ReadUriOnAPlainHttpEndpointAllowsHttpAndSignsTheAccountOnce()
    {
        var uri = await Store.GetReadUriAsync("data/abc", TimeSpan.FromMinutes(10), default);
        var query = HttpUtility.ParseQueryString(uri.Query);

        Assert.Equal("https,http", query["spr"]);
        Assert.Equal("b", query["sr"]);
        Assert.Equal("r", query["sp"]);
        Assert.Equal($"/{Azurite.AccountName}/{Layout.Container}/data/abc", uri.AbsolutePath);
    }

    [Fact]
    public async Task ReadUriOnAnHttpsEndpointIsHttpsOnly()
    {
        var options = AzureStorageOptions.ForEmulator(
            new Uri("https://acct.blob.core.windows.net"), new Uri("https://acct.table.core.windows.net"), "acct", Azurite.AccountKey);
        var uri = await new AzureStorage(options, TimeProvider.System).CreateBlobStore(Layout).GetReadUriAsync("data/abc", TimeSpan.FromMinutes(1), default);

        Assert.Equal("https", HttpUtility.ParseQueryString(uri.Query)["spr"]);
    }
}
