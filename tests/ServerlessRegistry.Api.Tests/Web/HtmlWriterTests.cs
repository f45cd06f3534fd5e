using ServerlessRegistry.Web.Html;

namespace ServerlessRegistry.Api.Tests.Web;

public class HtmlWriterTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("\" onmouseover=\"x", "&quot; onmouseover=&quot;x")]
    [InlineData("' onfocus='x", "&#39; onfocus=&#39;x")]
    [InlineData("a & b", "a &amp; b")]
    [InlineData("&amp;", "&amp;amp;")]
    [InlineData("plain team/app:v1", "plain team/app:v1")]
    [InlineData("", "")]
    public void EncodesEveryCharacterThatCouldEndAnAttributeOrOpenATag(string text, string expected) =>
        Assert.Equal(expected, Html.Encode(text));

    [Fact]
    public void InterpolatedStringsEncodeValuesButKeepLiterals()
    {
        var name = "<b>\"x\"</b>";
        var html = Html.Of($"<a title=\"{name}\">{name}</a>");
        Assert.Equal("<a title=\"&lt;b&gt;&quot;x&quot;&lt;/b&gt;\">&lt;b&gt;&quot;x&quot;&lt;/b&gt;</a>", html.Value);
    }

    [Fact]
    public void HtmlValuesAreInsertedAsIsButOnlyWhenDeclared()
    {
        var trusted = Html.Raw("<em>ok</em>");
        var text = "<em>not ok</em>";
        Assert.Equal("<p><em>ok</em>&lt;em&gt;not ok&lt;/em&gt;</p>", Html.Of($"<p>{trusted}{text}</p>").Value);
    }

    [Fact]
    public void NestedFragmentsAreEncodedOnceNotTwice()
    {
        var inner = Html.Of($"<li>{"a&b"}</li>");
        Assert.Equal("<ul><li>a&amp;b</li></ul>", Html.Of($"<ul>{inner}</ul>").Value);
    }

    [Fact]
    public void NumbersAreFormattedInvariantly()
    {
        var culture = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("<td>1.5</td>", Html.Of($"<td>{1.5}</td>").Value);
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = culture;
        }
    }

    [Fact]
    public void NullValuesRenderAsNothing()
    {
        string? missing = null;
        Assert.Equal("<p></p>", Html.Of($"<p>{missing}</p>").Value);
    }

    [Fact]
    public void JoinConcatenatesRenderedItems() =>
        Assert.Equal("<i>&lt;1&gt;</i><i>2</i>", Html.Join(["<1>", "2"], s => Html.Of($"<i>{s}</i>")).Value);

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(10 * 1024 * 1024, "10 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024 + 512L * 1024 * 1024, "3.5 GiB")]
    public void SizesUseBinaryUnits(long bytes, string expected) => Assert.Equal(expected, Show.SizeText(bytes));

    [Fact]
    public void SizeCarriesTheExactBytesInItsTitle() =>
        Assert.Equal("<span title=\"1,536 bytes\">1.5 KiB</span>", Show.Size(1536).Value);

    [Fact]
    public void TimeIsATimeElementWithIsoDateTimeAndRelativeText()
    {
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        var html = Show.Time(now.AddHours(-3), now).Value;
        Assert.Equal("<time datetime=\"2026-12-06T09:00:00Z\" title=\"2026-12-06 09:00 UTC\">3 hours ago</time>", html);
    }

    [Theory]
    [InlineData(0, "just now")]
    [InlineData(1, "1 minute ago")]
    [InlineData(59, "59 minutes ago")]
    [InlineData(60 * 24, "1 day ago")]
    [InlineData(60 * 24 * 90, "2026-09-07")]
    public void RelativeTimesReadNaturally(int minutesAgo, string expected)
    {
        var now = new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(expected, Show.Relative(now.AddMinutes(-minutesAgo), now));
    }

    [Fact]
    public void ShortDigestKeepsTheAlgorithmAndTwelveHexDigits() =>
        Assert.Equal("sha256:0123456789ab", Show.ShortDigest("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));

    [Fact]
    public void CopyButtonEncodesItsText() =>
        Assert.Equal("<button type=\"button\" class=\"copy\" data-copy=\"a&quot;b\">Copy</button>", Show.CopyButton("a\"b").Value);
}
