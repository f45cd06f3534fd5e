using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using ServerlessRegistry.Azure.Table;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure;

/// <summary>
/// <see cref="IMetadataStore"/> on Azure Table storage (Azure or Azurite). Tables are created by the first write that
/// finds them missing. Failures are translated here: 404 on a read is absent, 404/409/412 on a conditional write is
/// <see cref="ConcurrencyException"/>, the rest is <see cref="StorageException"/>. Thread-safe.
/// </summary>
public sealed partial class AzureMetadataStore : IMetadataStore
{
    private readonly TableServiceClient _service;
    private readonly StorageErrors _errors;

    internal AzureMetadataStore(TableServiceClient service, StorageErrors errors)
    {
        _service = service;
        _errors = errors;
    }

    /// <summary>A store with clients of its own, for tools and tests. The registry shares one <see cref="AzureStorage"/>.</summary>
    public AzureMetadataStore(AzureStorageOptions options, TimeProvider time)
        : this(new AzureStorage(options, time).Tables, new StorageErrors(options.AccountName))
    {
    }

    /// <inheritdoc />
    public async Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken)
    {
        try
        {
            var response = await Table(table).GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return response.HasValue ? TableRows.FromEntity(response.Value!) : null;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null; // the table does not exist yet
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, $"Reading {table}({partitionKey},{rowKey})");
        }
    }

    /// <inheritdoc />
    public async Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var filter = TableRows.Filter(query);
        var top = RowRules.PageSize(query);
        // The service returns only what $select names, so the keys are always asked for.
        IEnumerable<string>? select = query.Select is null ? null : ["PartitionKey", "RowKey", .. query.Select];
        try
        {
            var pages = Table(table).QueryAsync<TableEntity>(filter.Length == 0 ? null : filter, top, select, cancellationToken)
                .AsPages(query.Continuation, top).GetAsyncEnumerator(cancellationToken);
            await using var scope = pages.ConfigureAwait(false);
            if (!await pages.MoveNextAsync().ConfigureAwait(false))
            {
                return new RowPage([], null);
            }

            var page = pages.Current;
            return new RowPage(page.Values.Select(TableRows.FromEntity).ToList(),
                string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return new RowPage([], null); // a missing table reads as empty
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw _errors.Translate(e, $"Querying {table}");
        }
    }

    /// <inheritdoc />
    public async Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        RowRules.ValidateOperation(operation);
        var row = operation.Row;
        var entity = TableRows.ToEntity(row);
        var what = $"{operation.Kind} {table}({row.PartitionKey},{row.RowKey})";
        var client = Table(table);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var response = operation.Kind switch
                {
                    RowOperationKind.Insert => await client.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false),
                    RowOperationKind.Upsert => await client.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false),
                    RowOperationKind.Replace => await client.UpdateEntityAsync(entity, new ETag(operation.IfMatch), TableUpdateMode.Replace, cancellationToken)
                        .ConfigureAwait(false),
                    RowOperationKind.Delete => await client.DeleteEntityAsync(row.PartitionKey, row.RowKey, new ETag(operation.IfMatch), cancellationToken)
                        .ConfigureAwait(false),
                    _ => throw new ArgumentException($"Unknown operation {operation.Kind}.", nameof(operation)),
                };

                // The client reports a delete of a missing row as success (404); the contract calls it a conflict.
                if (response.Status == 404)
                {
                    throw new ConcurrencyException($"{what}: the row does not exist.");
                }

                return operation.Kind == RowOperationKind.Delete ? ""
                    : response.Headers.TryGetValue("ETag", out var etag) ? etag ?? "" : "";
            }
            catch (RequestFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound.ToString())
            {
                // Replace and delete need an existing row, which a missing table cannot hold.
                if (operation.Kind is RowOperationKind.Replace or RowOperationKind.Delete)
                {
                    throw new ConcurrencyException($"{what}: the row does not exist.", inner: e);
                }

                if (attempt > 0)
                {
                    throw _errors.Translate(e, what);
                }

                await EnsureTableAsync(table, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException e) when (IsConditionFailure(operation.Kind, e.Status))
            {
                throw new ConcurrencyException($"{what}: {e.Status} {e.ErrorCode}", inner: e);
            }
            catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
            {
                throw _errors.Translate(e, what);
            }
        }
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
        RowRules.ValidateBatch(operations);
        if (operations.Count == 0)
        {
            return;
        }

        var actions = operations.Select(TableRows.ToAction).ToList();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Table(table).SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException e) when (e.ErrorCode == TableErrorCode.TableNotFound.ToString() && attempt == 0)
            {
                await EnsureTableAsync(table, cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412)
            {
                var index = e.FailedTransactionActionIndex ?? -1;
                throw new ConcurrencyException($"Batch on {table} failed at operation {index}: {e.Status} {e.ErrorCode}", index, e);
            }
            catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
            {
                throw _errors.Translate(e, $"Batch on {table}");
            }
        }
    }

    private TableClient Table(string table) => _service.GetTableClient(table);
}
