using System.Collections.Concurrent;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// Owns the fills running in this process, detached from the requests that started them: at most one per digest,
/// each bounded by <see cref="FillTimeout"/>, awaited briefly at shutdown.
/// </summary>
/// <remarks>Thread-safe. A fill's failure is logged here and never reaches a request (the client already has its answer).</remarks>
internal sealed class FillJobs(ILogger<FillJobs> logger) : IHostedService, IDisposable
{
    /// <summary>
    /// A fill's upper bound. A 10 GiB layer at a slow 20 MiB/s takes under 9 minutes; past 30 the upstream or storage is
    /// stuck, and the claim (which lapses after the same time) lets another instance try.
    /// </summary>
    public static readonly TimeSpan FillTimeout = TimeSpan.FromMinutes(30);

    /// <summary>How long shutdown waits for running fills before cancelling them (their blocks become orphans).</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Task> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private long _started;

    /// <summary>Fills started in this process since start (tests count them).</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Whether a fill of <paramref name="key"/> runs in this process now.</summary>
    public bool IsRunning(string key) => _running.ContainsKey(key);

    /// <summary>The fill of <paramref name="key"/> running in this process (it never faults), or null.</summary>
    public Task? Running(string key) => _running.TryGetValue(key, out var task) ? task : null;

    /// <summary>
    /// Runs <paramref name="work"/> in the background unless a fill of <paramref name="key"/> already runs here.
    /// Returns the task that completes when it ends (never faults), or null when another fill of the key is running.
    /// </summary>
    public Task? TryStart(string key, Func<CancellationToken, Task> work)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_running.TryAdd(key, done.Task))
        {
            return null;
        }

        Interlocked.Increment(ref _started);
        _ = Task.Run(() => RunAsync(key, work, done));
        return done.Task;
    }

    /// <summary>Completes when no fill runs (fills started meanwhile are awaited too).</summary>
    public async Task WhenIdleAsync()
    {
        while (!_running.IsEmpty)
        {
            await Task.WhenAll(_running.Values).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(string key, Func<CancellationToken, Task> work, TaskCompletionSource done)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(FillTimeout);
            await work(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            FillLog.Failed(logger, key, e);
        }
        finally
        {
            _running.TryRemove(key, out _);
            done.SetResult();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_running.IsEmpty)
        {
            return;
        }

        var idle = WhenIdleAsync();
        if (await Task.WhenAny(idle, Task.Delay(ShutdownGrace, cancellationToken)).ConfigureAwait(false) != idle)
        {
            FillLog.CancelledAtShutdown(logger, _running.Count);
            await _stopping.CancelAsync().ConfigureAwait(false);
            await idle.ConfigureAwait(false);
        }
    }

    public void Dispose() => _stopping.Dispose();
}
