using ServerlessRegistry.Web;
using ServerlessRegistry.Web.Pages;

namespace ServerlessRegistry.Api.Tests.Web;

public class WebPathTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("/", nameof(WebResource.Repositories), "")]
    [InlineData("/r/app", nameof(WebResource.Repository), "app")]
    [InlineData("/r/team/sub/app", nameof(WebResource.Repository), "team/sub/app")]
    [InlineData("/r/team/app/-/delete", nameof(WebResource.Delete), "team/app")]
    [InlineData("/signin", nameof(WebResource.SignIn), "")]
    [InlineData("/signin/entra", nameof(WebResource.SignInEntra), "")]
    [InlineData("/signout", nameof(WebResource.SignOut), "")]
    [InlineData("/tokens", nameof(WebResource.Tokens), "")]
    [InlineData("/tokens/revoke", nameof(WebResource.TokenRevoke), "")]
    [InlineData("/usage", nameof(WebResource.Usage), "")]
    [InlineData("/r/Bad_Name", nameof(WebResource.Unknown), "")]
    [InlineData("/r/app/-/nothing", nameof(WebResource.Unknown), "")]
    [InlineData("/r/app/-/manifest/notadigest", nameof(WebResource.Unknown), "")]
    [InlineData("/r", nameof(WebResource.Unknown), "")]
    [InlineData("/tokens/other", nameof(WebResource.Unknown), "")]
    [InlineData("/favicon.ico", nameof(WebResource.None), "")]
    [InlineData("/health", nameof(WebResource.None), "")]
    [InlineData("/rr/app", nameof(WebResource.None), "")]
    public void ParsesEveryPathOfTheContract(string path, string resource, string name)
    {
        var parsed = WebPath.Parse(path);
        Assert.Equal(resource, parsed.Resource.ToString());
        Assert.Equal(name, parsed.Name);
    }

    [Fact]
    public void ManifestPathsSeparateNameAndDigestAtTheDashSegment()
    {
        var parsed = WebPath.Parse("/r/team/app/-/manifest/" + Digest);
        Assert.Equal((WebResource.Manifest, "team/app", Digest), (parsed.Resource, parsed.Name, parsed.Digest));
    }

    [Fact]
    public void StaticPathsCarryTheHashAndFile()
    {
        var parsed = WebPath.Parse("/static/abc123/site.css");
        Assert.Equal((WebResource.Static, "abc123", "site.css"), (parsed.Resource, parsed.Digest, parsed.File));
    }

    [Fact]
    public void EveryRoutedResourceHasAGetOrPostHandler()
    {
        var routed = WebRoutes.Routes.Keys.Select(k => k.Resource).ToHashSet();
        var pages = Enum.GetValues<WebResource>().Except([WebResource.None, WebResource.Unknown, WebResource.Static]);
        Assert.All(pages, resource => Assert.Contains(resource, routed));
        Assert.NotNull(WebRoutes.Find(WebResource.Repository, "HEAD"));
        Assert.Null(WebRoutes.Find(WebResource.Repository, "POST"));
    }

    [Theory]
    [InlineData("/r/app?page=2", "/r/app?page=2")]
    [InlineData("/", "/")]
    [InlineData(null, "/")]
    [InlineData("", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("/r/app\r\nSet-Cookie: x", "/")]
    [InlineData("r/app", "/")]
    public void ReturnUrlsAreLocalPathsOnly(string? url, string expected) => Assert.Equal(expected, SignInPage.ReturnUrl(url));
}
