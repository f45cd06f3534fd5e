using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Records when manifests are pulled (for retention's "last pulled" and the mirror's eviction), at most once a day per
/// manifest: a hit costs nothing but a dictionary lookup, and the first hit of a day in a process reads the row (and
/// writes it when it is older than today) off the request path.
/// </summary>
/// <remarks>Thread-safe. A lost write only makes a manifest look older by a day, never lost content.</remarks>
internal sealed partial class PullRecorder(RegistryStorage storage, TimeProvider time, ILogger<PullRecorder> logger)
{
    /// <summary>Past this many remembered manifests the memory starts over (costing one read each, not correctness).</summary>
    private const int Remembered = 100_000;

    private readonly ConcurrentDictionary<(string Repository, string Digest), DateOnly> _recorded = new();
    private readonly ConcurrentDictionary<Task, bool> _pending = new();
    private readonly string _table = storage.Layout.PullsTable;
    private long _writes;

    /// <summary>Rows written since start (for tests and benchmarks: hits within a day add none).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    /// <summary>Notes a pull of <paramref name="digest"/> from <paramref name="repository"/>; returns at once.</summary>
    public void Record(string repository, string digest)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        if (_recorded.TryGetValue((repository, digest), out var day) && day == today)
        {
            return;
        }

        if (_recorded.Count >= Remembered)
        {
            _recorded.Clear();
        }

        _recorded[(repository, digest)] = today;
        var write = WriteAsync(repository, digest, now, today);
        _pending[write] = true;
        _ = write.ContinueWith(t => _pending.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>When each manifest of <paramref name="repository"/> was last pulled, by digest (one partition query). Absent: never recorded.</summary>
    public async Task<Dictionary<string, DateTimeOffset>> ReadAsync(string repository, CancellationToken ct)
    {
        var rows = await storage.QueryAllAsync(_table, new RowQuery { PartitionKey = StorageLayout.RepositoryKey(repository) }, int.MaxValue, ct).ConfigureAwait(false);
        return rows.Where(r => PulledRow.FromRow(r).PulledAt is not null)
            .ToDictionary(r => r.RowKey, r => PulledRow.FromRow(r).PulledAt!.Value, StringComparer.Ordinal);
    }

    /// <summary>Forgets the pull time of a deleted manifest. Idempotent.</summary>
    public async Task ForgetAsync(string repository, string digest, CancellationToken ct)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(_table, RowOperation.Delete(StorageLayout.RepositoryKey(repository), digest), ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // Never recorded, or already gone.
        }
    }

    /// <summary>Completes when every recording started so far has finished.</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_pending.Keys);

    private async Task WriteAsync(string repository, string digest, DateTimeOffset now, DateOnly today)
    {
        try
        {
            var row = await storage.Metadata.GetAsync(_table, StorageLayout.RepositoryKey(repository), digest, CancellationToken.None).ConfigureAwait(false);
            if (row is not null && PulledRow.FromRow(row).PulledAt is { } at && DateOnly.FromDateTime(at.UtcDateTime) >= today)
            {
                return;
            }

            await storage.Metadata.ExecuteAsync(_table, RowOperation.Upsert(new PulledRow(now).ToRow(repository, digest)), CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref _writes);
        }
        catch (StorageException e)
        {
            _recorded.TryRemove((repository, digest), out _);
            RecordFailed(logger, repository, digest, e.Message);
        }
    }

    [LoggerMessage(1303, LogLevel.Warning, "Could not record a pull of {Repository}@{Digest}: {Reason}")]
    private static partial void RecordFailed(ILogger logger, string repository, string digest, string reason);
}
