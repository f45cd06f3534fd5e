using Microsoft.Extensions.Options;

namespace ServerlessRegistry.Mirror;

/// <summary>The settings rules with the stored ones, as one load found them.</summary>
/// <param name="Rules">What serves requests: every settings rule, and each stored rule whose local name no settings rule
/// (nor a stored rule earlier by name) serves.</param>
/// <param name="Stored">Every stored rule with its parsed form (null when unreadable) and whether another rule shadows it.</param>
internal sealed record CacheRuleSnapshot(CacheRules Rules, IReadOnlyList<(StoredCacheRule Rule, CacheRule? Parsed, bool Shadowed)> Stored)
{
    /// <summary>Combines <paramref name="settings"/> (fixed) with <paramref name="stored"/>, passwords read from <paramref name="configuration"/>.</summary>
    public static CacheRuleSnapshot Combine(CacheRules settings, IReadOnlyList<StoredCacheRule> stored, IConfiguration? configuration, Action<string, string>? unreadable = null)
    {
        var served = settings.All.Select(r => (r.Local, r.IsPrefix)).ToHashSet();
        var rules = new List<CacheRule>(settings.All);
        var entries = new List<(StoredCacheRule, CacheRule?, bool)>();
        foreach (var rule in stored)
        {
            CacheRule? parsed = null;
            try
            {
                parsed = rule.Parse(configuration);
            }
            catch (ArgumentException e)
            {
                // Checked when written; an unreadable row (edited by hand) is left out rather than failing every pull.
                unreadable?.Invoke(rule.Name, e.Message);
            }

            var shadowed = parsed is not null && !served.Add((parsed.Local, parsed.IsPrefix));
            if (parsed is not null && !shadowed)
            {
                rules.Add(parsed);
            }

            entries.Add((rule, parsed, shadowed));
        }

        return new CacheRuleSnapshot(CacheRules.Of(rules), entries);
    }
}

/// <summary>
/// The cache rules this instance serves: the settings rules (fixed at start) with the stored ones, re-read from
/// <see cref="CacheRuleStore"/> so that a rule stored anywhere is in effect on every instance within
/// Mirror:RuleRefreshInterval (60 s by default).
/// </summary>
/// <remarks>
/// <para>Thread-safe; concurrent callers share one load. A set younger than half the interval is served as it is, with no
/// I/O. Between half and the whole interval it is still served while one background load replaces it, so a busy
/// instance never waits for storage. Older (or never loaded, or invalidated), <see cref="CurrentAsync"/> waits for a load,
/// which bounds a change's delay by the interval. A failed background load keeps the last set; a load a caller waits
/// for passes its failure on. Age counts from when a load started.</para>
/// <para><see cref="Last"/> never loads: the request path's synchronous hook (containerd's ?ns= mapping) reads it, and it is
/// as fresh as the last request that went through <see cref="CurrentAsync"/> left it.</para>
/// </remarks>
internal sealed partial class CacheRuleSet(CacheRules settings, CacheRuleStore store, IConfiguration configuration, IOptions<MirrorOptions> options,
    TimeProvider time, ILogger<CacheRuleSet> logger)
{
    // Between background attempts while storage fails, so a busy instance does not re-read on every request.
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _interval = options.Value.RuleRefreshInterval;
    private readonly Lock _gate = new();
    private volatile Loaded? _loaded;
    private Task<Loaded>? _loading;
    private DateTimeOffset? _failedAt;
    private long _generation;

    /// <summary>The rules in Mirror:Rules, checked at start.</summary>
    public CacheRules Settings => settings;

    /// <summary>The rules of the last load (the settings rules before the first); no I/O, never waits.</summary>
    public CacheRules Last => _loaded?.Snapshot.Rules ?? settings;

    /// <summary>The rules to serve with: from memory when fresh, else re-read (see the remarks).</summary>
    /// <remarks>Cancelling <paramref name="ct"/> abandons this caller's wait, not the shared load.</remarks>
    public ValueTask<CacheRules> CurrentAsync(CancellationToken ct)
    {
        // The common case, lock-free: one read of the snapshot and the clock.
        if (_loaded is { } fresh && time.GetUtcNow() - fresh.StartedAt < _interval / 2)
        {
            return ValueTask.FromResult(fresh.Snapshot.Rules);
        }

        Task<Loaded> loading;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_loaded is { } loaded && now - loaded.StartedAt < _interval)
            {
                if (_failedAt is not { } failed || now - failed >= RetryAfterFailure)
                {
                    // Nobody awaits a background load; its failure is kept in _failedAt, not thrown.
                    _ = StartLoadLocked().ContinueWith(static t => t.Exception, CancellationToken.None,
                        TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }

                return ValueTask.FromResult(loaded.Snapshot.Rules);
            }

            loading = StartLoadLocked();
        }

        return new ValueTask<CacheRules>(AwaitAsync(loading, ct));
    }

    /// <summary>Forgets the loaded set, so the next call reads storage (after this process changed a rule).</summary>
    public void Invalidate()
    {
        lock (_gate)
        {
            _generation++;
            _loaded = null;
            _loading = null;
            _failedAt = null;
        }
    }

    /// <summary>Reads the stored rules now, bypassing the cache (the admin API's view).</summary>
    public async Task<CacheRuleSnapshot> ReadAsync(CancellationToken ct) =>
        CacheRuleSnapshot.Combine(settings, await store.LoadAsync(ct).ConfigureAwait(false), configuration);

    private static async Task<CacheRules> AwaitAsync(Task<Loaded> loading, CancellationToken ct) =>
        (await loading.WaitAsync(ct).ConfigureAwait(false)).Snapshot.Rules;

    private Task<Loaded> StartLoadLocked()
    {
        if (_loading is { } running)
        {
            return running;
        }

        var loading = LoadAsync(_generation);
        if (!loading.IsCompleted)
        {
            _loading = loading;
        }

        return loading;
    }

    private async Task<Loaded> LoadAsync(long generation)
    {
        var startedAt = time.GetUtcNow();
        try
        {
            // Off the caller's stack, and never cancelled by one caller: others may be waiting for the same load.
            var stored = await Task.Run(() => store.LoadAsync(CancellationToken.None)).ConfigureAwait(false);
            var loaded = new Loaded(CacheRuleSnapshot.Combine(settings, stored, configuration, (name, reason) => RuleUnreadable(logger, name, reason)), startedAt);
            lock (_gate)
            {
                if (generation == _generation)
                {
                    _loaded = loaded;
                    _loading = null;
                    _failedAt = null;
                }
            }

            return loaded;
        }
        catch
        {
            lock (_gate)
            {
                if (generation == _generation)
                {
                    _loading = null;
                    _failedAt = time.GetUtcNow();
                }
            }

            throw;
        }
    }

    [LoggerMessage(580, LogLevel.Warning, "Stored cache rule {Name} is not in effect: {Reason}")]
    private static partial void RuleUnreadable(ILogger logger, string name, string reason);

    private sealed record Loaded(CacheRuleSnapshot Snapshot, DateTimeOffset StartedAt);
}
