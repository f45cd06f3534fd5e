using System.Globalization;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Web.Html;

/// <summary>How values read on a page: sizes, times, digests, URLs built from route values.</summary>
internal static class Show
{
    private static readonly string[] Units = ["KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>"1.5 MiB" (binary units), with the exact byte count in the title for whoever needs it.</summary>
    public static Html Size(long bytes) => Html.Of($"<span title=\"{bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes\">{SizeText(bytes)}</span>");

    /// <summary>
    /// A summary's size: "—" when the row was written before summaries existed, "(partial)" after it when some part
    /// (a config not yet linked, an index child not yet pushed) could not be counted at push. Garbage collection completes both.
    /// </summary>
    public static Html SummarySize(ManifestSummary summary) =>
        !summary.Known ? Html.Raw("<span title=\"not recorded; the next garbage collection fills it in\">—</span>")
        : summary.Complete ? Size(summary.Size)
        : Html.Of($"{Size(summary.Size)} <span class=\"muted\" title=\"not every part was recorded at push; the next garbage collection completes it\">(partial)</span>");

    /// <summary>The platform buildx gives attestation manifests in an index; not a platform anyone pulls.</summary>
    public const string AttestationPlatform = "unknown/unknown";

    /// <summary>The platforms a pull can choose from, comma-separated, attestations left out.</summary>
    public static string Platforms(IEnumerable<string> platforms) =>
        string.Join(", ", platforms.Where(p => p != AttestationPlatform));

    public static string SizeText(long bytes)
    {
        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        var unit = -1;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    /// <summary>A UTC time as <c>&lt;time datetime&gt;</c>: text relative to now ("3 hours ago"), the exact time in the title.</summary>
    public static Html Time(DateTimeOffset? time, DateTimeOffset now)
    {
        if (time is not { } t)
        {
            return Html.Raw("<span class=\"muted\">unknown</span>");
        }

        var iso = t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var exact = t.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        return Html.Of($"<time datetime=\"{iso}\" title=\"{exact}\">{Relative(t, now)}</time>");
    }

    public static string Relative(DateTimeOffset time, DateTimeOffset now)
    {
        var age = now - time;
        var future = age < TimeSpan.Zero;
        age = age.Duration();
        var text = age switch
        {
            { TotalMinutes: < 1 } => null,
            { TotalHours: < 1 } => Plural((int)age.TotalMinutes, "minute"),
            { TotalDays: < 1 } => Plural((int)age.TotalHours, "hour"),
            { TotalDays: < 60 } => Plural((int)age.TotalDays, "day"),
            _ => null,
        };
        if (text is null)
        {
            return age.TotalMinutes < 1 ? "just now" : time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return future ? "in " + text : text + " ago";
    }

    private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";

    /// <summary>"sha256:" and the first 12 hex digits.</summary>
    public static string ShortDigest(string digest)
    {
        var colon = digest.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && digest.Length > colon + 13 ? digest[..(colon + 13)] : digest;
    }

    /// <summary>A query value or path segment, percent-encoded; repository names keep their '/'.</summary>
    public static string Query(string value) => Uri.EscapeDataString(value);

    public static string RepositoryPath(string name) => "/r/" + string.Join('/', name.Split('/').Select(Uri.EscapeDataString));

    // Digests are validated before they reach a page and hold only [a-z0-9:+._=-], all safe in a path segment.
    public static string ManifestPath(string name, string digest) => RepositoryPath(name) + "/-/manifest/" + digest;

    /// <summary>A copy button for <paramref name="text"/> (the script copies data-copy; without it the text is still selectable).</summary>
    public static Html CopyButton(string text, string label = "Copy") =>
        Html.Of($"<button type=\"button\" class=\"copy\" data-copy=\"{text}\">{label}</button>");

    /// <summary>A command in a code block with its copy button.</summary>
    public static Html Command(string text, string? client = null, string? id = null) =>
        Html.Of($"<div class=\"command\"><code{Attr("data-client", client)}{Attr("id", id)}>{text}</code>{CopyButton(text)}</div>");

    public static Html Attr(string name, string? value) => value is null ? Html.Empty : Html.Of($" {Html.Raw(name)}=\"{value}\"");
}
