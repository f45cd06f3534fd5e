using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Core;
using ServerlessRegistry.Azure.Table;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure;

/// <summary>
/// <see cref="IMetadataStore"/> over the Azure Table REST API (Azure Storage or Azurite). Tables are created
/// by the first write that finds them missing; HTTP failures are translated here: 404 on a read is absent,
/// 404/409/412 on a conditional write is <see cref="ConcurrencyException"/>, the rest is
/// <see cref="StorageException"/>. Thread-safe; holds one HTTP pipeline.
/// </summary>
public sealed class AzureMetadataStore : IMetadataStore
{
    private readonly TableRestClient _client;

    // Table creations, by table: concurrent writers that find a table missing share one create (rarely two). A
    // completed entry means "created (or found) earlier", so a later TableNotFound means it was deleted since.
    private readonly ConcurrentDictionary<string, Task> _tables = new(StringComparer.Ordinal);

    /// <summary>Creates the store. Does no I/O.</summary>
    public AzureMetadataStore(AzureStorageOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _client = new TableRestClient(options, time);
    }

    /// <inheritdoc />
    public async Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        using var message = await _client.GetEntityAsync(table, partitionKey, rowKey, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        return response.Status switch
        {
            200 => ReadEntity(response, $"Reading {table}({partitionKey},{rowKey})"),
            404 => null,
            _ => throw Failure(response, $"Reading {table}({partitionKey},{rowKey})"),
        };
    }

    /// <inheritdoc />
    public async Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        using var message = await _client.QueryAsync(table, TableAddress.QueryString(query), cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status == 404 && TableErrors.Code(response) is null or "TableNotFound" or "ResourceNotFound")
        {
            return new RowPage([], null);
        }

        if (response.Status != 200)
        {
            throw Failure(response, $"Querying {table}");
        }

        var rows = ParseBody(response, $"Querying {table}", root =>
            root.TryGetProperty("value", out var value) ? value.EnumerateArray().Select(e => EntityJson.Read(e)).ToList() : []);

        response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var nextPartition);
        response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nextRow);
        return new RowPage(rows, TableAddress.FormatContinuation(nextPartition, nextRow));
    }

    /// <inheritdoc />
    public async Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        TableBatch.ValidateCondition(operation);
        var row = operation.Row;
        var body = operation.Kind == RowOperationKind.Delete ? null : EntityJson.Write(row);
        for (var attempt = 0; ; attempt++)
        {
            using var message = await SendAsync(table, operation, body, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            var what = $"{operation.Kind} {table}({row.PartitionKey},{row.RowKey})";
            if (response.Status is >= 200 and < 300)
            {
                return operation.Kind == RowOperationKind.Delete ? "" : TableErrors.ETag(response);
            }

            var code = TableErrors.Code(response);
            if (response.Status == 404 && code == "TableNotFound")
            {
                // Replace and delete need an existing row, which a missing table cannot hold.
                if (operation.Kind is RowOperationKind.Replace or RowOperationKind.Delete)
                {
                    throw new ConcurrencyException($"{what}: the row does not exist.");
                }

                if (attempt == 0)
                {
                    await EnsureTableAsync(table, cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }

            throw IsConditionFailure(operation.Kind, response.Status)
                ? new ConcurrencyException($"{what}: {TableErrors.Describe(response, code)}")
                : Failure(response, what);
        }
    }

    private Task<HttpMessage> SendAsync(string table, RowOperation operation, byte[]? body, CancellationToken cancellationToken)
    {
        var row = operation.Row;
        return operation.Kind switch
        {
            RowOperationKind.Insert => _client.InsertAsync(table, body!, cancellationToken),
            RowOperationKind.Upsert => _client.PutAsync(table, row.PartitionKey, row.RowKey, body!, null, cancellationToken),
            RowOperationKind.Replace => _client.PutAsync(table, row.PartitionKey, row.RowKey, body!, operation.IfMatch, cancellationToken),
            RowOperationKind.Delete => _client.DeleteAsync(table, row.PartitionKey, row.RowKey, operation.IfMatch, cancellationToken),
            _ => throw new ArgumentException($"Unknown operation {operation.Kind}.", nameof(operation)),
        };
    }

    private static bool IsConditionFailure(RowOperationKind kind, int status) => kind switch
    {
        RowOperationKind.Insert => status == 409,
        RowOperationKind.Replace or RowOperationKind.Delete => status is 404 or 412,
        _ => false,
    };

    /// <inheritdoc />
    public async Task ExecuteBatchAsync(string table, IReadOnlyList<RowOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        TableBatch.Validate(operations);
        if (operations.Count == 0)
        {
            return;
        }

        var (contentType, body) = TableBatch.Build(_client.TableUrl(table), operations,
            "batch_" + Guid.NewGuid().ToString("D"), "changeset_" + Guid.NewGuid().ToString("D"));
        for (var attempt = 0; ; attempt++)
        {
            using var message = await _client.BatchAsync(contentType, body, cancellationToken).ConfigureAwait(false);
            var response = message.Response;
            if (response.Status is not (200 or 202))
            {
                throw Failure(response, $"Batch on {table}");
            }

            var failure = TableBatch.Parse(response.Content.ToString());
            if (failure is null)
            {
                return;
            }

            if (failure is { Status: 404, Code: "TableNotFound" } && attempt == 0)
            {
                await EnsureTableAsync(table, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var text = $"Batch on {table} failed at operation {failure.Index}: {failure.Status} {failure.Code} {failure.Message}";
            throw failure.Status is 404 or 409 or 412
                ? new ConcurrencyException(text, failure.Index)
                : new StorageException(text, failure.Status, failure.Code);
        }
    }

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

    private static TableRow ReadEntity(Response response, string what) =>
        ParseBody(response, what, root => EntityJson.Read(root, TableErrors.ETag(response)));

    /// <summary>A body the service should never send (not JSON, wrong types) is a storage failure, not a crash.</summary>
    private static T ParseBody<T>(Response response, string what, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(response.Content.ToMemory());
            return read(document.RootElement);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw new StorageException($"{what}: unreadable response ({e.Message})", response.Status, null, e);
        }
    }

    private static StorageException Failure(Response response, string what) =>
        new($"{what}: {TableErrors.Describe(response, TableErrors.Code(response))}", response.Status, TableErrors.Code(response));
}
