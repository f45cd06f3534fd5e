using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
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
        try
        {
            await _service.DeleteTableAsync(table, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, $"Deleting table {table}");
        }
    }

    /// <summary>Names of the tables that start with <paramref name="prefix"/>. For tests and tooling.</summary>
    internal async Task<IReadOnlyList<string>> ListTablesAsync(string prefix, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var filter = TableClient.CreateQueryFilter($"TableName ge {prefix} and TableName lt {StorageLayout.PrefixEnd(prefix)}");
        try
        {
            await foreach (var table in _service.QueryAsync(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                names.Add(table.Name);
            }
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, "Listing tables");
        }

        return names;
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
        try
        {
            // 409 TableAlreadyExists (another writer or process created it first) is just as good.
            await _service.CreateTableIfNotExistsAsync(table, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, CancellationToken.None))
        {
            throw _errors.Translate(e, $"Creating table {table}");
        }
    }
}
