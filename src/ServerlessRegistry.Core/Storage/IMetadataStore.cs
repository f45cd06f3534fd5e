namespace ServerlessRegistry.Core.Storage;

/// <summary>
/// Metadata storage: tables of rows addressed by (partition key, row key), in the shape of Azure Table
/// storage. Registry logic (upload sessions, blob index, links, manifests, tags, referrers, catalog) lives
/// above this contract; <see cref="StorageLayout"/> says which table and keys hold what.
/// </summary>
/// <remarks>
/// <para>Keys must already be encoded by <see cref="StorageLayout"/>: no '/', '\', '#', '?' or control
/// characters, at most 512 characters. Row keys sort ordinally within a partition.</para>
/// <para>Every write returns or checks an opaque ETag. A failed condition (row exists on insert, ETag
/// mismatch, row missing on a conditional replace or delete) throws <see cref="ConcurrencyException"/>.
/// A missing row on a read is <c>null</c>, never an exception. Tables are created lazily by the first
/// write that needs them. Implementations are thread-safe.</para>
/// </remarks>
public interface IMetadataStore
{
    /// <summary>Point read. Returns <c>null</c> when the row (or its table) does not exist.</summary>
    Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken);

    /// <summary>
    /// One page of rows matching <paramref name="query"/>, ordered by (partition key, row key). A page may be
    /// empty and still carry a continuation; callers keep paging until the continuation is <c>null</c>.
    /// A missing table reads as empty.
    /// </summary>
    Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Applies one write. Returns the row's new ETag (empty for a delete).
    /// Throws <see cref="ConcurrencyException"/> when the operation's condition fails; a delete of a missing row
    /// with <see cref="RowOperation.IfMatch"/> = "*" also throws it, so callers can tell "deleted" from "absent".
    /// </summary>
    Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken cancellationToken);

    /// <summary>
    /// Applies up to 100 operations on rows of one partition atomically: all succeed, or none is applied and
    /// <see cref="ConcurrencyException"/> (with <see cref="ConcurrencyException.FailedIndex"/>) is thrown.
    /// Each row may appear once. An empty list does nothing.
    /// </summary>
    Task ExecuteBatchAsync(string table, IReadOnlyList<RowOperation> operations, CancellationToken cancellationToken);
}

/// <summary>
/// A row: keys, an ETag as read (or null for a row about to be written), and typed properties.
/// Property values are <see cref="string"/>, <see cref="long"/>, <see cref="int"/>, <see cref="bool"/>,
/// <see cref="byte"/>[] (at most 64 KiB) or <see cref="DateTimeOffset"/> (UTC, microsecond precision at least).
/// Property names are identifiers of [A-Za-z0-9] only; PartitionKey, RowKey, Timestamp and ETag are reserved.
/// </summary>
public sealed class TableRow(string partitionKey, string rowKey)
{
    public string PartitionKey { get; } = partitionKey;
    public string RowKey { get; } = rowKey;
    public string? ETag { get; init; }
    public Dictionary<string, object> Properties { get; init; } = new(StringComparer.Ordinal);

    public object? this[string name]
    {
        get => Properties.TryGetValue(name, out var value) ? value : null;
        set { if (value is null) Properties.Remove(name); else Properties[name] = value; }
    }

    public string? GetString(string name) => this[name] as string;
    public long? GetInt64(string name) => this[name] switch { long l => l, int i => i, _ => null };
    public byte[]? GetBinary(string name) => this[name] as byte[];
    public DateTimeOffset? GetDateTime(string name) => this[name] as DateTimeOffset?;
}

/// <summary>What a write does, and on what condition.</summary>
public enum RowOperationKind
{
    /// <summary>Create; fails if the row exists.</summary>
    Insert,
    /// <summary>Create or replace all properties, unconditionally.</summary>
    Upsert,
    /// <summary>Replace all properties; the row must exist and match <see cref="RowOperation.IfMatch"/>.</summary>
    Replace,
    /// <summary>Delete; the row must exist and match <see cref="RowOperation.IfMatch"/>.</summary>
    Delete,
}

/// <summary>One write. <see cref="IfMatch"/> is an ETag or "*" (any version); used by Replace and Delete.</summary>
public sealed record RowOperation(RowOperationKind Kind, TableRow Row, string IfMatch = "*")
{
    public static RowOperation Insert(TableRow row) => new(RowOperationKind.Insert, row);
    public static RowOperation Upsert(TableRow row) => new(RowOperationKind.Upsert, row);
    public static RowOperation Replace(TableRow row, string ifMatch) => new(RowOperationKind.Replace, row, ifMatch);
    public static RowOperation Delete(string partitionKey, string rowKey, string ifMatch = "*") =>
        new(RowOperationKind.Delete, new TableRow(partitionKey, rowKey), ifMatch);
}

/// <summary>
/// A range query. <see cref="PartitionKey"/> null scans every partition. Row keys are bounded by
/// [<see cref="RowKeyFrom"/>, <see cref="RowKeyTo"/>) unless <see cref="FromExclusive"/> makes the lower bound
/// exclusive. <see cref="Where"/> adds equality tests on string properties. <see cref="Top"/> caps one page
/// (at most 1000). <see cref="Continuation"/> resumes a previous page. <see cref="Select"/> names the properties to
/// return (keys and ETag always come back; a selected property a row lacks is absent); null returns them all.
/// </summary>
public sealed record RowQuery
{
    public string? PartitionKey { get; init; }
    public string? RowKeyFrom { get; init; }
    public bool FromExclusive { get; init; }
    public string? RowKeyTo { get; init; }
    public IReadOnlyDictionary<string, string>? Where { get; init; }
    public int? Top { get; init; }
    public string? Continuation { get; init; }
    public IReadOnlyList<string>? Select { get; init; }
}

/// <summary>One page of a query.</summary>
public sealed record RowPage(IReadOnlyList<TableRow> Rows, string? Continuation);
