using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>A caller holds a bounded number of open upload sessions; finishing or cancelling one frees a place.</summary>
public sealed class UploadLimitFlowTests
{
    [Fact]
    public async Task OpeningMoreUploadsThanTheCapIsRefusedUntilOneEnds()
    {
        await using var server = await RegistryServer.StartAsync(new Dictionary<string, string?> { ["Registry:MaxOpenUploadsPerCaller"] = "3" });
        var client = server.Client;
        var open = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            using var start = await client.PostAsync($"/v2/cap/r{i}/blobs/uploads/", null);
            Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
            open.Add(start.Headers.Location!.ToString());
        }

        using var refused = await client.PostAsync("/v2/cap/r9/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("TOOMANYREQUESTS", await refused.ErrorCodeAsync());

        // A whole-blob POST opens no session and is not counted.
        var content = OciHttp.RandomBytes(100);
        using var monolithic = await client.PostAsync($"/v2/cap/r9/blobs/uploads/?digest={OciHttp.Sha256(content)}", new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, monolithic.StatusCode);

        using var cancel = await client.DeleteAsync(open[0]);
        Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        using var afterCancel = await client.PostAsync("/v2/cap/r9/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, afterCancel.StatusCode);

        using var complete = await client.PutAsync(open[1] + "?digest=" + OciHttp.Sha256(content), new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, complete.StatusCode);
        using var afterComplete = await client.PostAsync("/v2/cap/r9/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, afterComplete.StatusCode);
    }
}
