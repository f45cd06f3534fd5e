using System.Collections.Concurrent;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// Records when cached manifests are pulled, for eviction, at most once a day per manifest: a hit costs nothing
/// but a dictionary lookup, and the first hit of a day in a process reads the row (and writes it when it is older
/// than today) off the request path.
/// </summary>
/// <remarks>Thread-safe. A lost write only makes a manifest look older to eviction by a day, never lost content.</remarks>
internal sealed partial class PullRecorder(RegistryStorage storage, TimeProvider time, ILogger<PullRecorder> logger)
{
    /// <summary>Past this many remembered manifests the memory starts over (costing one read each, not correctness).</summary>
    private const int Remembered = 100_000;

    private readonly ConcurrentDictionary<(string Repository, string Digest), DateOnly> _recorded = new();
    private readonly ConcurrentDictionary<Task, bool> _pending = new();
    private readonly string _table = MirrorLayout.Table(storage.Layout);
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

    /// <summary>Completes when every recording started so far has finished.</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_pending.Keys);

    private async Task WriteAsync(string repository, string digest, DateTimeOffset now, DateOnly today)
    {
        try
        {
            var row = await storage.Metadata.GetAsync(_table, MirrorLayout.RepositoryKey(repository), MirrorLayout.PulledKey(digest), CancellationToken.None).ConfigureAwait(false);
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

    [LoggerMessage(560, LogLevel.Warning, "Could not record a pull of {Repository}@{Digest}: {Reason}")]
    private static partial void RecordFailed(ILogger logger, string repository, string digest, string reason);
}
