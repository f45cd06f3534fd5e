using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests.Web;

/// <summary>
/// The repository and manifest pages over real HTTP (auth off, Azurite) for what a browser test does not set up:
/// a repository whose tags were all deleted, rows written before summaries existed, and buildx attestation children.
/// </summary>
public sealed class WebListingPagesTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task WithAuthOffTheHeaderOffersNoSignIn()
    {
        var (status, html) = await GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("sign-in is off", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/signin?returnUrl=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RepositoryWhoseLastTagWasDeletedShowsNoTags()
    {
        var name = "web/emptied-" + Guid.NewGuid().ToString("N")[..8];
        await Client.PushImageAsync(name, "v1");
        using var delete = await Client.DeleteAsync($"/v2/{name}/manifests/v1");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);

        var (status, html) = await GetAsync($"/r/{name}");
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}\n{html}");
        Assert.Contains("No tags", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"tags\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"pull\"", html, StringComparison.Ordinal);

        var (missing, _) = await GetAsync($"/r/web/never-{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.NotFound, missing);
    }

    [Fact]
    public async Task SizeNotRecordedOnAnOlderRowShowsADash()
    {
        var name = "web/older-" + Guid.NewGuid().ToString("N")[..8];
        var (_, digest) = await Client.PushImageAsync(name, "v1");
        // A tag row as written before summaries existed: no TotalSize, no platforms, no created.
        var storage = fixture.Server.Services.GetRequiredService<RegistryStorage>();
        var row = await storage.Metadata.GetAsync(storage.Layout.RepositoriesTable, StorageLayout.RepositoryKey(name), StorageLayout.TagKey("v1"), CancellationToken.None);
        Assert.NotNull(row);
        foreach (var property in new[] { SummaryProperties.TotalSizeProperty, SummaryProperties.PlatformsProperty, SummaryProperties.CreatedProperty })
        {
            row[property] = null;
        }

        await storage.Metadata.ExecuteAsync(storage.Layout.RepositoriesTable, RowOperation.Replace(row, row.ETag!), CancellationToken.None);

        var (status, html) = await GetAsync($"/r/{name}");
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}\n{html}");
        Assert.Contains("<td class=\"size\"><span title=\"not recorded; the next garbage collection fills it in\">—</span></td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(">0 B<", html, StringComparison.Ordinal);
        Assert.Contains(digest, html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AttestationChildrenAreLeftOutOfPlatformsAndMarkedOnTheIndex()
    {
        var name = "web/attested-" + Guid.NewGuid().ToString("N")[..8];
        var (image, imageDigest) = await Client.PushImageAsync(name, "image");
        var (attestation, attestationDigest) = await Client.PushImageAsync(name, "attestation");
        var index = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"" + OciHttp.OciIndex + "\",\"manifests\":[" +
            Child(imageDigest, image.Length, "linux", "amd64") + "," + Child(attestationDigest, attestation.Length, "unknown", "unknown") + "]}");
        using (var put = await Client.PutManifestAsync(name, "v1", index, OciHttp.OciIndex))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using (var untag = await Client.DeleteAsync($"/v2/{name}/manifests/image"))
        using (var untagAttestation = await Client.DeleteAsync($"/v2/{name}/manifests/attestation"))
        {
            Assert.Equal(HttpStatusCode.Accepted, untag.StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, untagAttestation.StatusCode);
        }

        var (status, html) = await GetAsync($"/r/{name}");
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}\n{html}");
        Assert.Contains("<td class=\"platforms\">linux/amd64</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("unknown/unknown", html, StringComparison.Ordinal);

        var (manifestStatus, manifestHtml) = await GetAsync($"/r/{name}/-/manifest/{OciHttp.Sha256(index)}");
        Assert.True(manifestStatus == HttpStatusCode.OK, $"{(int)manifestStatus}\n{manifestHtml}");
        var attestationRow = Row(manifestHtml, attestationDigest);
        Assert.Contains("attestation", attestationRow, StringComparison.Ordinal);
        Assert.DoesNotContain("attestation", Row(manifestHtml, imageDigest), StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, string Html)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Child(string digest, int size, string os, string architecture) =>
        $"{{\"mediaType\":\"{OciHttp.OciManifest}\",\"digest\":\"{digest}\",\"size\":{size},\"platform\":{{\"os\":\"{os}\",\"architecture\":\"{architecture}\"}}}}";

    /// <summary>The children table row of <paramref name="digest"/>.</summary>
    private static string Row(string html, string digest)
    {
        var start = html.IndexOf($"<tr data-digest=\"{digest}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "no row for " + digest);
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}
