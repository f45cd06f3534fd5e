using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Bounds the upload sessions one caller holds open, through an index partition per owner in the uploads table
/// (see <see cref="StorageLayout"/>): counting is one partition query, never a table scan.
/// </summary>
/// <remarks>
/// The index row is written before the session row and removed after it, so a crash leaves at worst an index row
/// without a session (an overcount), never an uncounted session. Such rows are removed by upload expiry once they are
/// older than a session may live, and, when a caller reaches the cap, a few are checked against their sessions and
/// removed at once. The cap is soft under concurrency: simultaneous starts may each see one place left.
/// </remarks>
internal sealed class UploadQuota(RegistryStorage storage, RegistryOptions options, TimeProvider time)
{
    /// <summary>Index rows checked against their sessions when a caller is at the cap: bounds the cost of a refusal.</summary>
    private const int StaleCheckLimit = 16;

    /// <summary>How long a start may take between writing its index row and its session row.</summary>
    private static readonly TimeSpan StartGrace = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Records a new session for <paramref name="owner"/> (null: the anonymous caller, counted as one), or refuses with
    /// TOOMANYREQUESTS when the owner already holds the maximum. Call before writing the session row. With
    /// <paramref name="enforce"/> false (a session written back after a failed completion) nothing is counted.
    /// Idempotent for one session.
    /// </summary>
    public async Task ReserveAsync(string? owner, string uploadId, CancellationToken ct, bool enforce = true)
    {
        var partition = StorageLayout.UploadOwnerKey(owner);
        var max = options.MaxOpenUploadsPerCaller;
        var rows = enforce ? await storage.QueryAllAsync(storage.Layout.UploadsTable, new RowQuery { PartitionKey = partition }, max, ct).ConfigureAwait(false) : [];
        if (enforce && rows.Count >= max && rows.Count - await RemoveStaleAsync(rows, ct).ConfigureAwait(false) >= max)
        {
            Fail.With(ErrorKind.TooManyRequests, $"at most {max} uploads may be open at once; complete or cancel one, or retry after older ones expire");
        }

        var row = new OpenUploadIndexRow(time.GetUtcNow()).ToRow(owner, uploadId);
        await storage.Metadata.ExecuteAsync(storage.Layout.UploadsTable, RowOperation.Upsert(row), ct).ConfigureAwait(false);
    }

    /// <summary>Forgets a session that ended (completed, cancelled). Idempotent; call after deleting the session row.</summary>
    public Task ReleaseAsync(string? owner, string uploadId, CancellationToken ct) =>
        DeleteIndexRowAsync(StorageLayout.UploadOwnerKey(owner), uploadId, "*", ct);

    /// <summary>
    /// Removes index rows (at most <see cref="StaleCheckLimit"/>) whose session no longer exists; returns how many.
    /// Rows younger than <see cref="StartGrace"/> are left alone: a start writes its index row before its session row.
    /// Each row is deleted on the ETag read, so a row written again meanwhile (a session restored) stays.
    /// </summary>
    private async Task<int> RemoveStaleAsync(List<TableRow> rows, CancellationToken ct)
    {
        var settled = time.GetUtcNow() - StartGrace;
        var sample = rows
            .Select(r => (Row: r, CreatedAt: OpenUploadIndexRow.FromRow(r).CreatedAt ?? DateTimeOffset.MinValue))
            .Where(r => r.CreatedAt < settled)
            .OrderBy(r => r.CreatedAt)
            .Take(StaleCheckLimit)
            .Select(r => r.Row)
            .ToList();
        var sessions = await Task.WhenAll(sample.Select(r => storage.Metadata.GetAsync(storage.Layout.UploadsTable, r.RowKey, "", ct))).ConfigureAwait(false);
        var stale = sample.Where((_, i) => sessions[i] is null).ToList();
        var removed = await Task.WhenAll(stale.Select(r => DeleteIndexRowAsync(r.PartitionKey, r.RowKey, r.ETag ?? "*", ct))).ConfigureAwait(false);
        return removed.Count(r => r);
    }

    /// <summary>False when the row changed or is gone.</summary>
    private async Task<bool> DeleteIndexRowAsync(string partition, string uploadId, string ifMatch, CancellationToken ct)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(storage.Layout.UploadsTable, RowOperation.Delete(partition, uploadId, ifMatch), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyException)
        {
            // Already gone (expiry or a lazy cleanup removed it), or written again.
            return false;
        }
    }
}
