using System.Collections.Concurrent;
using ServerlessRegistry.Azure.Table;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure;

/// <summary>Table lifecycle: lazy creation after a write finds a table missing, and deletion and listing for tests and tooling.</summary>
public sealed partial class AzureMetadataStore
{
    // Table creations, by table: concurrent writers that find a table missing share one create (rarely two). A
    // completed entry means "created (or found) earlier", so a later TableNotFound means it was deleted since.
    private readonly ConcurrentDictionary<string, Task> _tables = new(StringComparer.Ordinal);

    /// <summary>Deletes a table and everything in it; a missing table is fine. For tests and tooling.</summary>
    internal async Task DeleteTableAsync(string table, CancellationToken cancellationToken)
    {
        _tables.TryRemove(table, out _);
        using var message = await _client.DeleteTableAsync(table, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status is not (204 or 404))
        {
            throw Failure(response, $"Deleting table {table}");
        }
    }

    /// <summary>Names of the tables that start with <paramref name="prefix"/>. For tests and tooling.</summary>
    internal async Task<IReadOnlyList<string>> ListTablesAsync(string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var filter = "$filter=" + TableAddress.Encode($"TableName ge '{prefix}' and TableName lt '{StorageLayout.PrefixEnd(prefix)}'");
        for (string? next = null; ;)
        {
            var query = next is null ? filter : filter + "&NextTableName=" + TableAddress.Encode(next);
            using var message = await _client.QueryTablesAsync(query, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            if (response.Status != 200)
            {
                throw Failure(response, "Listing tables");
            }

            names.AddRange(ParseBody(response, "Listing tables", root =>
                root.GetProperty("value").EnumerateArray().Select(t => t.GetProperty("TableName").GetString()!).ToList()));
            if (!response.Headers.TryGetValue("x-ms-continuation-NextTableName", out next) || string.IsNullOrEmpty(next))
            {
                return names;
            }
        }
    }

    /// <summary>Called after a write found the table missing: creates it once, shared by concurrent callers.</summary>
    private Task EnsureTableAsync(string table, CancellationToken cancellationToken)
    {
        var creation = _tables.GetOrAdd(table, CreateTableAsync);
        if (creation.IsCompleted)
        {
            // Created earlier (and deleted since), or an earlier attempt failed: start over, once.
            _tables.TryRemove(new KeyValuePair<string, Task>(table, creation));
            creation = _tables.GetOrAdd(table, CreateTableAsync);
        }

        // The shared creation ignores any one caller's cancellation; each caller stops waiting on its own.
        return creation.WaitAsync(cancellationToken);
    }

    private async Task CreateTableAsync(string table)
    {
        using var message = await _client.CreateTableAsync(table, CancellationToken.None).ConfigureAwait(false);
        var response = message.Response;
        // 409 TableAlreadyExists: another writer (or process) created it first, which is just as good.
        if (response.Status is not (201 or 204 or 409))
        {
            throw Failure(response, $"Creating table {table}");
        }
    }
}
