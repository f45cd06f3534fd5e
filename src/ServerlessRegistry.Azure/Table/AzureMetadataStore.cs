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
public sealed partial class AzureMetadataStore : IMetadataStore
{
    private readonly TableRestClient _client;

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
