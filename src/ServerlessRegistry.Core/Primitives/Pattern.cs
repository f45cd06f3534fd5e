using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace ServerlessRegistry.Core.Primitives;

/// <summary>
/// Repository and tag patterns, doublestar globs as Harbor's: <c>*</c> matches within one path segment, <c>**</c> across
/// segments, <c>?</c> one character; everything else matches itself. <c>team/*</c> matches <c>team/app</c> but not
/// <c>team/app/x</c>; <c>team/**</c> matches both; <c>**</c> matches every repository.
/// </summary>
/// <remarks>Thread-safe; compiled patterns are cached (rules are few).</remarks>
internal static class Pattern
{
    private static readonly ConcurrentDictionary<string, Regex> Compiled = new(StringComparer.Ordinal);

    public static bool Matches(string pattern, string value) => Compiled.GetOrAdd(pattern, Compile).IsMatch(value);

    /// <summary>Null when <paramref name="pattern"/> is usable, else why not (for the CLI's one-line errors).</summary>
    public static string? Check(string pattern) =>
        string.IsNullOrWhiteSpace(pattern) ? "a pattern must not be empty"
        : pattern.Length > 256 ? "a pattern is at most 256 characters"
        : pattern.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) ? $"pattern '{pattern}' contains white space"
        : pattern.Contains("***", StringComparison.Ordinal) ? $"pattern '{pattern}' has '***'; use '*' or '**'"
        : null;

    private static Regex Compile(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                regex.Append(".*");
                i++;
            }
            else
            {
                regex.Append(c switch { '*' => "[^/]*", '?' => "[^/]", _ => Regex.Escape(c.ToString()) });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
    }
}
