using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events.Webhooks;

/// <summary>
/// Reads and writes the stored webhooks (<see cref="StoredWebhookLayout"/>). Writes are single-row upserts and deletes,
/// idempotent; two operators changing the same webhook at once: the last write wins. Other instances see a change
/// within <see cref="EventsOptions.EndpointRefreshInterval"/> (<see cref="StoredWebhookCache"/>).
/// </summary>
internal sealed class StoredWebhookStore(RegistryStorage storage, TimeProvider time)
{
    // Far above what an operator manages by hand; a bound so a damaged table cannot exhaust memory on every instance.
    private const int MaxRows = 1_000;

    private string Table => StoredWebhookLayout.Table(storage.Layout);

    /// <summary>Every stored webhook, in name order. A missing table is none.</summary>
    /// <exception cref="FormatException">A row is unreadable (the message names it), or there are more than <see cref="MaxRows"/>.</exception>
    public async Task<IReadOnlyList<StoredWebhook>> LoadAsync(CancellationToken ct)
    {
        var rows = await storage.QueryAllAsync(Table, new RowQuery { PartitionKey = StoredWebhookLayout.WebhooksPartition }, MaxRows + 1, ct).ConfigureAwait(false);
        if (rows.Count > MaxRows)
        {
            throw new FormatException($"table {Table} holds more than {MaxRows} webhooks; remove some ('events endpoints' lists them).");
        }

        return [.. rows.Select(StoredWebhookRow.FromRow)];
    }

    /// <summary>The stored webhook named <paramref name="name"/>, or null. One point read.</summary>
    public async Task<StoredWebhook?> GetAsync(string name, CancellationToken ct) =>
        StoredWebhookRules.IsValidName(name) && await storage.Metadata.GetAsync(Table, StoredWebhookLayout.WebhooksPartition, name, ct).ConfigureAwait(false) is { } row
            ? StoredWebhookRow.FromRow(row)
            : null;

    /// <summary>Creates or replaces <paramref name="webhook"/> (already checked and normalized). One upsert; idempotent.</summary>
    public Task PutAsync(StoredWebhook webhook, CancellationToken ct) =>
        storage.Metadata.ExecuteAsync(Table, RowOperation.Upsert(StoredWebhookRow.ToRow(webhook, time.GetUtcNow())), ct);

    /// <summary>Deletes the webhook named <paramref name="name"/>; false when there was none. Idempotent.</summary>
    public async Task<bool> RemoveAsync(string name, CancellationToken ct)
    {
        if (!StoredWebhookRules.IsValidName(name))
        {
            return false;
        }

        try
        {
            await storage.Metadata.ExecuteAsync(Table, RowOperation.Delete(StoredWebhookLayout.WebhooksPartition, name, "*"), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyException)
        {
            // Absent (never stored, or removed meanwhile by another operator).
            return false;
        }
    }
}
