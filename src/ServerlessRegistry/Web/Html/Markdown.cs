using Markdig;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace ServerlessRegistry.Web.Html;

/// <summary>
/// README Markdown as safe markup. Anyone who may push writes it, so: raw HTML is shown as text, and link and image
/// URLs are kept only when they are http(s) or relative (no javascript:, data:, vbscript:, …); others become "#".
/// Only extensions that cannot add attributes are on (no generic attributes). Thread-safe: the pipeline is immutable.
/// </summary>
internal static class Markdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .Build();

    public static Html ToHtml(string markdown)
    {
        var document = Markdig.Markdown.Parse(markdown, Pipeline);

        // The page's own h1 is the repository name; the README's headings sit one level below it.
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(heading.Level + 1, 6);
        }

        foreach (var link in document.Descendants<LinkInline>())
        {
            // A dynamic URL is computed at render time, after this check; resolve it now so the check sees the real URL.
            if (link.GetDynamicUrl is { } dynamic)
            {
                link.Url = dynamic() ?? link.Url;
                link.GetDynamicUrl = null;
            }

            if (!IsSafeUrl(link.Url))
            {
                link.Url = "#";
            }
        }

        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!link.IsEmail && !IsSafeUrl(link.Url))
            {
                link.Url = "#";
            }
        }

        return Html.Raw(Markdig.Markdown.ToHtml(document, Pipeline));
    }

    /// <summary>
    /// http:, https:, or no scheme at all (relative, fragment, protocol-relative). Browsers drop tabs, newlines and
    /// leading controls before reading a scheme, so the check does too.
    /// </summary>
    public static bool IsSafeUrl(string? url)
    {
        if (url is null)
        {
            return true;
        }

        var cleaned = new string([.. url.Where(c => c > ' ' && c != '\u007f')]);
        var end = cleaned.AsSpan().IndexOfAny(":/?#");
        if (end < 0 || cleaned[end] != ':')
        {
            return true;
        }

        var scheme = cleaned[..end];
        return scheme.Equals("http", StringComparison.OrdinalIgnoreCase) || scheme.Equals("https", StringComparison.OrdinalIgnoreCase);
    }
}
