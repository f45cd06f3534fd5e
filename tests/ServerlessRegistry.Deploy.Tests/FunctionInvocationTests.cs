using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Azure.Functions.Worker;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The function classes invoked in process, as the worker invokes them, against Azurite: a push and a pull through
/// the HTTP function's entry point, and the timers running the maintenance jobs.
/// </summary>
public sealed class FunctionInvocationTests
{
    private const string PublicUrl = "https://func-test.azurewebsites.net";

    private static readonly Dictionary<string, string?> AzureLike = new()
    {
        ["Registry:PublicUrl"] = PublicUrl,
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>
    /// The Functions host owns every path starting with /admin or /runtime and never hands it to a function (a catch-all
    /// route included), so the admin API lives under /api/admin/v1 and answers through the HTTP function.
    /// </summary>
    [Fact]
    public async Task AdminApiRunsThroughTheHttpFunctionOutsideTheHostsReservedPaths()
    {
        Assert.DoesNotMatch("^/(admin|runtime)", ServerlessRegistry.Admin.AdminRoutes.Prefix.ToLowerInvariant());
        await using var app = await FunctionApp.StartAsync(AzureLike);
        using var document = await app.Client.GetAsync(ServerlessRegistry.Admin.AdminRoutes.Prefix + "/openapi.json");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal(await File.ReadAllTextAsync(RepoRoot.Combine(ServerlessRegistry.Admin.AdminOpenApi.CheckedInPath)), await document.Content.ReadAsStringAsync());
        using var tokens = await app.Client.GetAsync(ServerlessRegistry.Admin.AdminRoutes.Prefix + "/tokens");
        Assert.Equal(HttpStatusCode.OK, tokens.StatusCode);
    }

    [Fact]
    public async Task PushAndPullRunThroughTheHttpFunction()
    {
        await using var app = await FunctionApp.StartAsync(AzureLike);
        var client = app.Client;
        var layer = OciHttp.RandomBytes(300_000);
        var layerDigest = OciHttp.Sha256(layer);

        using var start = await client.PostAsync("/v2/team/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var upload = start.Headers.Location!;
        Assert.StartsWith(PublicUrl + "/v2/team/app/blobs/uploads/", upload.ToString(), StringComparison.Ordinal);

        // One PATCH with a streamed, unsized body (as docker sends a layer), then the closing PUT.
        using var patch = await client.PatchAsync(upload.PathAndQuery, new StreamContent(new NonSeekableStream(layer)));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal($"0-{layer.Length - 1}", patch.Headers.GetValues("Range").Single());
        var separator = patch.Headers.Location!.Query.Length > 0 ? "&" : "?";
        using var put = await client.PutAsync(patch.Headers.Location!.PathAndQuery + separator + "digest=" + layerDigest, null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"{PublicUrl}/v2/team/app/blobs/{layerDigest}", put.Headers.Location!.ToString());

        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
        var configDigest = await client.PushBlobAsync("team/app", config);
        var manifest = OciHttp.ImageManifest(configDigest, config.Length, layerDigest, layer.Length);
        using var manifestPut = await client.PutManifestAsync("team/app", "v1", manifest);
        Assert.Equal(HttpStatusCode.Created, manifestPut.StatusCode);

        using var manifestGet = new HttpRequestMessage(HttpMethod.Get, "/v2/team/app/manifests/v1");
        manifestGet.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciHttp.OciManifest));
        using var pulled = await client.SendAsync(manifestGet);
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal(manifest, await pulled.Content.ReadAsByteArrayAsync());
        Assert.Equal(OciHttp.Sha256(manifest), pulled.Headers.GetValues("Docker-Content-Digest").Single());

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/team/app/blobs/{layerDigest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(layer.Length, head.Content.Headers.ContentLength);

        using var blob = await client.GetAsync($"/v2/team/app/blobs/{layerDigest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, blob.StatusCode);
        using var storage = new HttpClient();
        Assert.Equal(layer, await storage.GetByteArrayAsync(blob.Headers.Location));
    }

    [Fact]
    public async Task UnknownPathsGetTheRegistrysErrorEnvelope()
    {
        await using var app = await FunctionApp.StartAsync(AzureLike);
        using var response = await app.Client.GetAsync("/admin-like/anything");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("UNSUPPORTED", await response.ErrorCodeAsync());
        Assert.Equal("registry/2.0", response.Headers.GetValues("Docker-Distribution-API-Version").Single());
    }

    [Fact]
    public async Task UploadExpiryTimerRemovesIdleUploadSessions()
    {
        await using var app = await FunctionApp.StartAsync(AzureLike);
        using var start = await app.Client.PostAsync("/v2/team/app/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var upload = start.Headers.Location!.PathAndQuery;

        app.Time.Advance(TimeSpan.FromDays(8));
        await app.Timers.ExpireUploadsAsync(new TimerInfo(), CancellationToken.None);

        using var status = await app.Client.GetAsync(upload);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await status.ErrorCodeAsync());
    }

    [Fact]
    public async Task GarbageCollectionTimerDeletesUnreferencedBlobsPastTheGracePeriod()
    {
        await using var app = await FunctionApp.StartAsync(AzureLike);
        var orphan = await app.Client.PushBlobAsync("team/app", OciHttp.RandomBytes(2000));

        app.Time.Advance(TimeSpan.FromDays(2));
        await app.Timers.CollectGarbageAsync(new TimerInfo(), CancellationToken.None);

        using var head = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/team/app/blobs/{orphan}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }
}
