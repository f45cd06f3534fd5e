using System.Net;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

public sealed class DiscoveryFlowTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private readonly HttpClient _client = fixture.Client;

    [Fact]
    public async Task TagsAreListedInLexicalOrderAndPagedWithLink()
    {
        var (manifest, _) = await _client.PushImageAsync("disc/tags", "b");
        foreach (var tag in new[] { "a", "C", "c", "1.0", "_x" })
        {
            using var put = await _client.PutManifestAsync("disc/tags", tag, manifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(["1.0", "C", "_x", "a", "b", "c"], await TagsAsync("/v2/disc/tags/tags/list"));

        using var first = await _client.GetAsync("/v2/disc/tags/tags/list?n=4");
        Assert.Equal(["1.0", "C", "_x", "a"], Names(await first.Content.ReadAsStringAsync(), "tags"));
        var link = first.Headers.GetValues("Link").Single();
        Assert.Equal("</v2/disc/tags/tags/list?n=4&last=a>; rel=\"next\"", link);
        Assert.Equal(["b", "c"], await TagsAsync(link[1..link.IndexOf('>')]));

        using var last = await _client.GetAsync("/v2/disc/tags/tags/list?n=2&last=b");
        Assert.False(last.Headers.Contains("Link"));
        Assert.Equal(["c"], Names(await last.Content.ReadAsStringAsync(), "tags"));

        using var none = await _client.GetAsync("/v2/disc/tags/tags/list?n=0");
        Assert.False(none.Headers.Contains("Link"));
        Assert.Empty(Names(await none.Content.ReadAsStringAsync(), "tags"));
    }

    [Fact]
    public async Task HugePageSizeIsServedWithoutOverflow()
    {
        await _client.PushImageAsync("disc/huge", "only");
        using var response = await _client.GetAsync($"/v2/disc/huge/tags/list?n={int.MaxValue}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["only"], Names(await response.Content.ReadAsStringAsync(), "tags"));
        Assert.False(response.Headers.Contains("Link"));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("99999999999")]
    public async Task InvalidPageSizeGets400(string n)
    {
        using var response = await _client.GetAsync($"/v2/disc/any/tags/list?n={n}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("PAGINATION_NUMBER_INVALID", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task TagsOfAnUnknownRepositoryGet404NameUnknown()
    {
        using var response = await _client.GetAsync("/v2/disc/never/tags/list");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("NAME_UNKNOWN", await response.ErrorCodeAsync());
    }

    [Fact]
    public async Task CatalogListsRepositoriesInOrderAndPages()
    {
        await using var server = await RegistryServer.StartAsync();
        foreach (var name in new[] { "zeta", "alpha/one", "alpha", "alpha-two" })
        {
            await server.Client.PushImageAsync(name, "v1");
        }

        using var all = await server.Client.GetAsync("/v2/_catalog");
        Assert.Equal(["alpha", "alpha-two", "alpha/one", "zeta"], Names(await all.Content.ReadAsStringAsync(), "repositories"));
        using var page = await server.Client.GetAsync("/v2/_catalog?n=2&last=alpha");
        Assert.Equal(["alpha-two", "alpha/one"], Names(await page.Content.ReadAsStringAsync(), "repositories"));
        Assert.Equal("</v2/_catalog?n=2&last=alpha%2Fone>; rel=\"next\"", page.Headers.GetValues("Link").Single());
    }

    [Fact]
    public async Task ReferrersListArtifactsWithTheirTypeAndAnnotationsAndFilter()
    {
        var (_, subject) = await _client.PushImageAsync("disc/refs", "app");
        var sbomType = "application/vnd.example.sbom";
        var (_, sbom) = await _client.PushImageAsync("disc/refs", "sbom", subject: subject, artifactType: sbomType, annotation: "made by test");
        await _client.PushImageAsync("disc/refs", "sig", subject: subject, artifactType: "application/vnd.example.sig");

        var index = await ReferrersAsync($"/v2/disc/refs/referrers/{subject}");
        Assert.Equal(2, index.GetProperty("manifests").GetArrayLength());
        using var filtered = await _client.GetAsync($"/v2/disc/refs/referrers/{subject}?artifactType={Uri.EscapeDataString(sbomType)}");
        Assert.Equal("artifactType", filtered.Headers.GetValues("OCI-Filters-Applied").Single());
        Assert.Equal(OciHttp.OciIndex, filtered.Content.Headers.ContentType!.MediaType);
        using var json = JsonDocument.Parse(await filtered.Content.ReadAsStringAsync());
        var entry = Assert.Single(json.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal(sbom, entry.GetProperty("digest").GetString());
        Assert.Equal(sbomType, entry.GetProperty("artifactType").GetString());
        Assert.Equal("made by test", entry.GetProperty("annotations").GetProperty("org.example.note").GetString());

        using (await _client.DeleteAsync($"/v2/disc/refs/manifests/{sbom}"))
        {
        }

        Assert.Equal(1, (await ReferrersAsync($"/v2/disc/refs/referrers/{subject}")).GetProperty("manifests").GetArrayLength());
    }

    [Fact]
    public async Task PushWithASubjectAnswersOciSubject()
    {
        var subject = OciHttp.Sha256([1, 2, 3, 4]);
        var config = await _client.PushBlobAsync("disc/subject", [5]);
        var layer = await _client.PushBlobAsync("disc/subject", [6]);
        using var put = await _client.PutManifestAsync("disc/subject", "sig", OciHttp.ImageManifest(config, 1, layer, 1, subject: subject));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(subject, put.Headers.GetValues("OCI-Subject").Single());
    }

    [Fact]
    public async Task ReferrersOfAnUnknownSubjectIsAnEmptyIndex()
    {
        var index = await ReferrersAsync($"/v2/disc/nothing/referrers/{OciHttp.Sha256([0])}");
        Assert.Equal(0, index.GetProperty("manifests").GetArrayLength());
        Assert.Equal(2, index.GetProperty("schemaVersion").GetInt32());
    }

    private async Task<JsonElement> ReferrersAsync(string url)
    {
        using var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private async Task<List<string>> TagsAsync(string url)
    {
        using var response = await _client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Names(await response.Content.ReadAsStringAsync(), "tags");
    }

    private static List<string> Names(string json, string property)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToList();
    }
}
