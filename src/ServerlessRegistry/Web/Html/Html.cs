using System.Runtime.CompilerServices;
using System.Text;

namespace ServerlessRegistry.Web.Html;

/// <summary>
/// Markup that is already safe to put on a page: built by <see cref="Of"/> (which encodes every interpolated value) or
/// declared trusted with <see cref="Raw"/>. Interpolating an <see cref="Html"/> into a template inserts it as is;
/// interpolating anything else encodes it.
/// </summary>
internal readonly struct Html(string value)
{
    public static readonly Html Empty = new("");

    public string Value => value ?? "";

    /// <summary>Trusted markup, inserted verbatim: only for literals and output of our own renderers.</summary>
    public static Html Raw(string markup) => new(markup);

    /// <summary>A fragment built from a template: literal parts verbatim, every interpolated value encoded.</summary>
    public static Html Of(ref HtmlTemplate template) => new(template.ToStringAndClear());

    /// <summary>Each item rendered with <paramref name="render"/>, concatenated.</summary>
    public static Html Join<T>(IEnumerable<T> items, Func<T, Html> render)
    {
        var builder = new StringBuilder();
        foreach (var item in items)
        {
            builder.Append(render(item).Value);
        }

        return new(builder.ToString());
    }

    /// <summary>
    /// Encodes text for an element's content or a quoted attribute value: &amp; &lt; &gt; " and ' become entities, so
    /// a value can neither end an attribute nor open a tag.
    /// </summary>
    public static string Encode(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny("&<>\"'") < 0)
        {
            return text ?? "";
        }

        var builder = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            builder.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            });
            if (c is not ('&' or '<' or '>' or '"' or '\''))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    public override string ToString() => Value;
}

/// <summary>The interpolated string handler behind <see cref="Html.Of"/>: literals verbatim, values encoded unless they are <see cref="Html"/>.</summary>
[InterpolatedStringHandler]
internal ref struct HtmlTemplate
{
    private StringBuilder? _builder;

    public HtmlTemplate(int literalLength, int formattedCount) => _builder = new StringBuilder(literalLength + formattedCount * 16);

    public readonly void AppendLiteral(string literal) => _builder!.Append(literal);

    public readonly void AppendFormatted(Html markup) => _builder!.Append(markup.Value);

    public readonly void AppendFormatted(string? text) => _builder!.Append(Html.Encode(text));

    public readonly void AppendFormatted<T>(T value) => _builder!.Append(Html.Encode(value is IFormattable f
        ? f.ToString(null, System.Globalization.CultureInfo.InvariantCulture)
        : value?.ToString()));

    public string ToStringAndClear()
    {
        var text = _builder!.ToString();
        _builder = null;
        return text;
    }
}
