using System.Text;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Testing;

/// <summary>
/// <see cref="IMetadataStore"/> in process memory, for logic tests that need no emulator. Behaves as the Table
/// service does where the contract speaks: ordinal key order, ETags that change on every write, conditional
/// writes, atomic batches with the failing index, pages with continuations. One lock; rows are copied in and out.
/// </summary>
public sealed class InMemoryMetadataStore : IMetadataStore
{
    private static readonly Comparer<(string Partition, string Row)> KeyOrder = Comparer<(string Partition, string Row)>.Create((a, b) =>
    {
        var byPartition = string.CompareOrdinal(a.Partition, b.Partition);
        return byPartition != 0 ? byPartition : string.CompareOrdinal(a.Row, b.Row);
    });

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SortedDictionary<(string Partition, string Row), TableRow>> _tables = new(StringComparer.Ordinal);
    private long _version;

    public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_tables.TryGetValue(table, out var rows) && rows.TryGetValue((partitionKey, rowKey), out var row) ? Copy(row, row.ETag) : null);
        }
    }

    public Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken cancellationToken)
    {
        var top = RowRules.PageSize(query) ?? RowRules.MaxTop;
        RowRules.ValidateWhere(query);
        var resume = query.Continuation is null ? ((string, string)?)null : ParseContinuation(query.Continuation);
        lock (_gate)
        {
            if (!_tables.TryGetValue(table, out var rows))
            {
                return Task.FromResult(new RowPage([], null));
            }

            var matches = rows.Where(r => resume is not { } start || KeyOrder.Compare(r.Key, start) >= 0)
                .Select(r => r.Value).Where(r => Matches(r, query)).Take(top + 1).ToList();
            var continuation = matches.Count > top ? FormatContinuation(matches[top]) : null;
            return Task.FromResult(new RowPage(matches.Take(top).Select(r => Project(Copy(r, r.ETag), query.Select)).ToList(), continuation));
        }
    }

    public Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken cancellationToken)
    {
        RowRules.ValidateOperation(operation);
        lock (_gate)
        {
            var rows = Table(table);
            var failure = Check(rows, operation);
            if (failure is not null)
            {
                throw new ConcurrencyException($"{operation.Kind} {table}({operation.Row.PartitionKey},{operation.Row.RowKey}): {failure}");
            }

            return Task.FromResult(Apply(rows, operation));
        }
    }

    public Task ExecuteBatchAsync(string table, IReadOnlyList<RowOperation> operations, CancellationToken cancellationToken)
    {
        RowRules.ValidateBatch(operations);
        if (operations.Count == 0)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            var rows = Table(table);
            // Rows appear once per batch, so checking every operation against the state before the batch is exact.
            for (var i = 0; i < operations.Count; i++)
            {
                if (Check(rows, operations[i]) is { } failure)
                {
                    throw new ConcurrencyException($"Batch on {table} failed at operation {i}: {failure}", i);
                }
            }

            foreach (var operation in operations)
            {
                Apply(rows, operation);
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Deletes a table and its rows; a missing table is fine.</summary>
    public void DeleteTable(string table)
    {
        lock (_gate)
        {
            _tables.Remove(table);
        }
    }

    /// <summary>The names of the tables that exist and start with <paramref name="prefix"/>.</summary>
    public IReadOnlyList<string> ListTables(string prefix)
    {
        lock (_gate)
        {
            return _tables.Keys.Where(t => t.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        }
    }

    private SortedDictionary<(string Partition, string Row), TableRow> Table(string table)
    {
        if (!_tables.TryGetValue(table, out var rows))
        {
            _tables[table] = rows = new SortedDictionary<(string Partition, string Row), TableRow>(KeyOrder);
        }

        return rows;
    }

    private static string? Check(SortedDictionary<(string Partition, string Row), TableRow> rows, RowOperation operation)
    {
        var exists = rows.TryGetValue((operation.Row.PartitionKey, operation.Row.RowKey), out var current);
        return operation.Kind switch
        {
            RowOperationKind.Insert when exists => "the row exists",
            RowOperationKind.Replace or RowOperationKind.Delete when !exists => "the row does not exist",
            RowOperationKind.Replace or RowOperationKind.Delete when operation.IfMatch != "*" && operation.IfMatch != current!.ETag => "the ETag does not match",
            _ => null,
        };
    }

    private string Apply(SortedDictionary<(string Partition, string Row), TableRow> rows, RowOperation operation)
    {
        var key = (operation.Row.PartitionKey, operation.Row.RowKey);
        if (operation.Kind == RowOperationKind.Delete)
        {
            rows.Remove(key);
            return "";
        }

        var etag = $"W/\"{++_version}\"";
        rows[key] = Copy(operation.Row, etag);
        return etag;
    }

    private static bool Matches(TableRow row, RowQuery query) =>
        (query.PartitionKey is null || row.PartitionKey == query.PartitionKey) &&
        (query.RowKeyFrom is null || string.CompareOrdinal(row.RowKey, query.RowKeyFrom) is var from && (query.FromExclusive ? from > 0 : from >= 0)) &&
        (query.RowKeyTo is null || string.CompareOrdinal(row.RowKey, query.RowKeyTo) < 0) &&
        (query.Where ?? new Dictionary<string, string>()).All(w => row[w.Key] is string s && s == w.Value);

    /// <summary>Keeps only the selected properties, as the Table service's $select does.</summary>
    private static TableRow Project(TableRow row, IReadOnlyList<string>? select)
    {
        if (select is not null)
        {
            foreach (var name in row.Properties.Keys.Where(k => !select.Contains(k, StringComparer.Ordinal)).ToList())
            {
                row.Properties.Remove(name);
            }
        }

        return row;
    }

    /// <summary>A deep copy: callers may change what they wrote or read without touching the store.</summary>
    private static TableRow Copy(TableRow row, string? etag) => new(row.PartitionKey, row.RowKey)
    {
        ETag = etag,
        Properties = row.Properties.ToDictionary(p => p.Key, p => p.Value switch
        {
            byte[] bytes => bytes.ToArray(),
            DateTimeOffset time => time.ToUniversalTime(),
            var value => value,
        }, StringComparer.Ordinal),
    };

    private static string FormatContinuation(TableRow next) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(next.PartitionKey + "\n" + next.RowKey));

    private static (string, string) ParseContinuation(string continuation)
    {
        var parts = Encoding.UTF8.GetString(Convert.FromBase64String(continuation)).Split('\n');
        return parts.Length == 2 ? (parts[0], parts[1]) : throw new ArgumentException("The continuation token is malformed.", nameof(continuation));
    }
}
