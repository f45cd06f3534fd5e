using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Admin;

/// <summary>One page of a list: the items in key order and, when more follow, the key to pass as <c>last</c> for the next page.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, string? Next = null);

/// <summary>
/// Paging as the distribution API does it: <c>n</c> items (default 100, at most 1,000) after the key <c>last</c>.
/// A page is a view of the list when it was read; an item added or removed between pages may be seen or missed once.
/// </summary>
internal readonly record struct AdminPaging(int N, string? Last)
{
    public const int Default = 100;
    public const int Max = 1000;

    public static AdminPaging From(HttpRequest request)
    {
        var n = Default;
        if (request.Query["n"].ToString() is { Length: > 0 } text && (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out n) || n is < 1 or > Max))
        {
            Fail.With(ErrorKind.PaginationNumberInvalid, $"n must be a whole number from 1 to {Max}");
        }

        var last = request.Query["last"].ToString();
        return new AdminPaging(n, last.Length == 0 ? null : last);
    }

    /// <summary>The page of <paramref name="items"/> (any order; sorted here by <paramref name="key"/>, ordinal) after <see cref="Last"/>.</summary>
    public Page<T> Of<T>(IEnumerable<T> items, Func<T, string> key)
    {
        var after = Last;
        var sorted = items.Where(i => after is null || string.CompareOrdinal(key(i), after) > 0).OrderBy(key, StringComparer.Ordinal).Take(N + 1).ToList();
        if (sorted.Count <= N)
        {
            return new Page<T>(sorted, null);
        }

        sorted.RemoveAt(N);
        return new Page<T>(sorted, key(sorted[^1]));
    }
}
