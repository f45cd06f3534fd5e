using System.Globalization;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Table;

/// <summary>
/// Everything that puts keys into URLs: entity predicates, $filter text and continuation tokens.
/// Keys may contain '\'' and ':' — quotes are doubled (OData literal rule), then the result is
/// percent-encoded, with %20 for spaces because Azurite reads '+' as a space.
/// </summary>
internal static class TableAddress
{
    public const int MaxTop = 1000;

    /// <summary><c>table(PartitionKey='…',RowKey='…')</c>, ready to append to the endpoint.</summary>
    public static string EntityPath(string table, string partitionKey, string rowKey) =>
        $"{table}(PartitionKey='{Encode(Quote(partitionKey))}',RowKey='{Encode(Quote(rowKey))}')";

    /// <summary>The query string (without '?') for one page of <paramref name="query"/>.</summary>
    public static string QueryString(RowQuery query)
    {
        var parts = new List<string>(4);
        var filter = Filter(query);
        if (filter.Length > 0)
        {
            parts.Add("$filter=" + Encode(filter));
        }

        if (query.Top is { } top)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(top, 1, nameof(query));
            parts.Add("$top=" + Math.Min(top, MaxTop).ToString(CultureInfo.InvariantCulture));
        }

        // The service wants $filter and $top repeated on every page, plus where to resume.
        if (query.Continuation is { } continuation)
        {
            var (nextPartition, nextRow) = ParseContinuation(continuation);
            parts.Add("NextPartitionKey=" + Encode(nextPartition));
            if (nextRow is not null)
            {
                parts.Add("NextRowKey=" + Encode(nextRow));
            }
        }

        return string.Join('&', parts);
    }

    /// <summary>The OData filter for <paramref name="query"/>, unencoded; empty when the query has no conditions.</summary>
    public static string Filter(RowQuery query)
    {
        var terms = new List<string>();
        if (query.PartitionKey is not null)
        {
            terms.Add(Compare("PartitionKey", "eq", query.PartitionKey));
        }

        if (query.RowKeyFrom is not null)
        {
            terms.Add(Compare("RowKey", query.FromExclusive ? "gt" : "ge", query.RowKeyFrom));
        }

        if (query.RowKeyTo is not null)
        {
            terms.Add(Compare("RowKey", "lt", query.RowKeyTo));
        }

        foreach (var (name, value) in query.Where ?? new Dictionary<string, string>())
        {
            if (name.Length == 0 || !name.All(char.IsAsciiLetterOrDigit))
            {
                throw new ArgumentException($"'{name}' is not a valid property name.", nameof(query));
            }

            terms.Add(Compare(name, "eq", value));
        }

        return string.Join(" and ", terms);
    }

    /// <summary>Folds the two continuation headers into one opaque string; the row part may be absent.</summary>
    public static string? FormatContinuation(string? nextPartitionKey, string? nextRowKey) =>
        string.IsNullOrEmpty(nextPartitionKey) ? null
        : string.IsNullOrEmpty(nextRowKey) ? Encode(nextPartitionKey)
        : Encode(nextPartitionKey) + "," + Encode(nextRowKey);

    public static (string NextPartitionKey, string? NextRowKey) ParseContinuation(string continuation)
    {
        // Encoded parts never contain ',', so the separator is unambiguous.
        var comma = continuation.IndexOf(',');
        var partition = Uri.UnescapeDataString(comma < 0 ? continuation : continuation[..comma]);
        var row = comma < 0 ? null : Uri.UnescapeDataString(continuation[(comma + 1)..]);
        if (partition.Length == 0 || continuation.IndexOf(',', comma + 1) >= 0)
        {
            throw new ArgumentException("The continuation token is malformed.", nameof(continuation));
        }

        return (partition, row);
    }

    private static string Compare(string name, string op, string literal) => $"{name} {op} '{Quote(literal)}'";

    private static string Quote(string value) => value.Replace("'", "''", StringComparison.Ordinal);

    /// <summary>
    /// Percent-encodes everything but RFC 3986 unreserved characters: spaces become %20 (never '+'), and
    /// '\'', '(' and ')' are encoded too, so a key can never close its predicate early.
    /// </summary>
    internal static string Encode(string value) => Uri.EscapeDataString(value);
}
