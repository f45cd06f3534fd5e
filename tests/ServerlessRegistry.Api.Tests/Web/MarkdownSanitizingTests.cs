using ServerlessRegistry.Web.Html;

namespace ServerlessRegistry.Api.Tests.Web;

public class MarkdownSanitizingTests
{
    [Fact]
    public void RendersCommonMarkdownWithHeadingsBelowThePageTitle()
    {
        var html = Markdown.ToHtml("# Title\n\nSome *text* and `code`.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").Value;
        Assert.Contains("<h2>Title</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<em>text</em>", html, StringComparison.Ordinal);
        Assert.Contains("<code>code</code>", html, StringComparison.Ordinal);
        Assert.Contains("<table>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("text <span onclick=\"alert(1)\">inline</span> text")]
    [InlineData("<iframe src=\"https://example.com\"></iframe>")]
    public void RawHtmlIsShownAsText(string markdown)
    {
        var html = Markdown.ToHtml(markdown).Value;
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<span", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[x](javascript:alert(1))")]
    [InlineData("[x](JAVASCRIPT:alert(1))")]
    [InlineData("[x](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[x](vbscript:msgbox)")]
    [InlineData("![x](javascript:alert(1))")]
    [InlineData("![x](data:image/svg+xml;base64,PHN2Zz4=)")]
    [InlineData("<javascript:alert(1)>")]
    [InlineData("[x][ref]\n\n[ref]: javascript:alert(1)")]
    [InlineData("[x](java%0ascript:alert(1))")]
    [InlineData("[x](<java\tscript:alert(1)>)")]
    public void DangerousUrlsAreReplaced(string markdown)
    {
        var html = Markdown.ToHtml(markdown).Value;
        Assert.DoesNotContain("javascript:", html.Replace("\t", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("vbscript:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("[x](https://example.com/a?b=c)", "href=\"https://example.com/a?b=c\"")]
    [InlineData("[x](http://example.com)", "href=\"http://example.com\"")]
    [InlineData("[x](docs/guide.md)", "href=\"docs/guide.md\"")]
    [InlineData("[x](#install)", "href=\"#install\"")]
    [InlineData("![badge](https://img.shields.io/badge/x-y-green)", "src=\"https://img.shields.io/badge/x-y-green\"")]
    [InlineData("see https://example.com/page", "href=\"https://example.com/page\"")]
    public void SafeUrlsAreKept(string markdown, string expected) =>
        Assert.Contains(expected, Markdown.ToHtml(markdown).Value, StringComparison.Ordinal);

    [Theory]
    [InlineData(null, true)]
    [InlineData("/r/app", true)]
    [InlineData("relative/path:with-colon-after-slash", true)]
    [InlineData("//cdn.example.com/x.png", true)]
    [InlineData("HTTPS://example.com", true)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData(" javascript:alert(1)", false)]
    [InlineData("java\nscript:alert(1)", false)]
    [InlineData("data:image/png;base64,AAAA", false)]
    [InlineData("mailto:a@example.com", false)]
    [InlineData("ftp://example.com", false)]
    public void OnlyHttpSchemesOrRelativeUrlsAreSafe(string? url, bool safe) => Assert.Equal(safe, Markdown.IsSafeUrl(url));
}
