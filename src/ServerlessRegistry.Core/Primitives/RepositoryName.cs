using System.Text.RegularExpressions;

namespace ServerlessRegistry.Core.Primitives;

/// <summary>Validation of repository names and tags, as the distribution spec defines them.</summary>
internal static partial class Names
{
    /// <summary>
    /// Longest repository name accepted. Clients cap host + "/" + name at 255, and the name's hex encoding
    /// must fit a 512-character table key.
    /// </summary>
    public const int MaxRepositoryLength = 255;

    /// <summary>Longest tag (the spec's grammar allows 128 characters).</summary>
    public const int MaxTagLength = 128;

    public static bool IsValidRepository(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxRepositoryLength && RepositoryPattern().IsMatch(name);

    public static bool IsValidTag(string? tag) =>
        !string.IsNullOrEmpty(tag) && tag.Length <= MaxTagLength && TagPattern().IsMatch(tag);

    // \z, not $: $ also matches before a final newline, which would let "name\n" through.
    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();
}
