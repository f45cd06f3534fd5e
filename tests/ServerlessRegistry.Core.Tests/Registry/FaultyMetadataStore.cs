using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// Passes calls through, except that it fails the writes a test names: a crash at that point. Like a real store, a
/// write on a cancelled token throws.
/// </summary>
internal sealed class FaultyMetadataStore(IMetadataStore inner) : IMetadataStore
{
    /// <summary>When it returns true for (table, operation count), the write throws instead of happening.</summary>
    public Func<string, IReadOnlyList<RowOperation>, bool> FailWhen { get; set; } = (_, _) => false;

    public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken cancellationToken) =>
        inner.GetAsync(table, partitionKey, rowKey, cancellationToken);

    public Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken cancellationToken) =>
        inner.QueryAsync(table, query, cancellationToken);

    public Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken cancellationToken) =>
        FailWhen(table, [operation]) ? throw new StorageException("injected crash")
        : cancellationToken.IsCancellationRequested ? Task.FromCanceled<string>(cancellationToken)
        : inner.ExecuteAsync(table, operation, cancellationToken);

    public Task ExecuteBatchAsync(string table, IReadOnlyList<RowOperation> operations, CancellationToken cancellationToken) =>
        FailWhen(table, operations) ? throw new StorageException("injected crash")
        : cancellationToken.IsCancellationRequested ? Task.FromCanceled(cancellationToken)
        : inner.ExecuteBatchAsync(table, operations, cancellationToken);
}
