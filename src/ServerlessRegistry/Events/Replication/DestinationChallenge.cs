using System.Net.Http.Headers;
using System.Text.RegularExpressions;

namespace ServerlessRegistry.Events.Replication;

/// <summary>
/// A destination's 401 challenge: <c>Bearer realm="…",service="…",scope="…"</c> or <c>Basic realm="…"</c>. Parameters
/// are RFC 7235 auth-params, so a quoted scope may hold commas (<c>repository:a:pull,push</c>).
/// </summary>
internal sealed partial record DestinationChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>The first Bearer challenge, else the first Basic one, else the first of any scheme; null when there is none.</summary>
    public static DestinationChallenge? From(HttpResponseHeaders headers)
    {
        var all = headers.WwwAuthenticate.Select(h => new DestinationChallenge(h.Scheme, Parse(h.Parameter))).ToList();
        return all.FirstOrDefault(c => c.IsBearer) ?? all.FirstOrDefault(c => c.IsBasic) ?? all.FirstOrDefault();
    }

    /// <summary><c>key=token</c> and <c>key="quoted, \"escaped\""</c> pairs separated by commas; keys are case-insensitive, the first wins.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string? text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match m in Parameter().Matches(text ?? ""))
        {
            var value = m.Groups["quoted"].Success ? Unescape().Replace(m.Groups["quoted"].Value, "$1") : m.Groups["token"].Value.Trim();
            result.TryAdd(m.Groups["key"].Value, value);
        }

        return result;
    }

    [GeneratedRegex("""(?:^|,)\s*(?<key>[A-Za-z0-9_.-]+)\s*=\s*(?:"(?<quoted>(?:[^"\\]|\\.)*)"|(?<token>[^,]*))""", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\\(.)", RegexOptions.CultureInvariant)]
    private static partial Regex Unescape();
}
