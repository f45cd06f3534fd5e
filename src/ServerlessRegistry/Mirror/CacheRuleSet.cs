using Microsoft.Extensions.Options;
using ServerlessRegistry.Hosting;

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
/// <para>Thread-safe; concurrent callers share one load (see <see cref="RefreshingValue{T}"/>). A set younger than half
/// the interval is served as it is, with no I/O. Between half and the whole interval it is still served while one
/// background load replaces it, so a busy instance never waits for storage. Older (or never loaded, or invalidated), <see cref="CurrentAsync"/> waits for a load,
/// which bounds a change's delay by the interval. A failed background load keeps the last set; a load a caller waits
/// for passes its failure on. Age counts from when a load started.</para>
/// <para><see cref="Last"/> never loads: the request path's synchronous hook (containerd's ?ns= mapping) reads it, and it is
/// as fresh as the last request that went through <see cref="CurrentAsync"/> left it.</para>
/// </remarks>
internal sealed partial class CacheRuleSet(CacheRules settings, CacheRuleStore store, IConfiguration configuration, IOptions<MirrorOptions> options,
    TimeProvider time, ILogger<CacheRuleSet> logger)
{
    private readonly RefreshingValue<CacheRuleSnapshot> _snapshot = new(
        async ct => CacheRuleSnapshot.Combine(settings, await store.LoadAsync(ct).ConfigureAwait(false), configuration, (name, reason) => RuleUnreadable(logger, name, reason)),
        time, options.Value.RuleRefreshInterval / 2, options.Value.RuleRefreshInterval);

    /// <summary>The rules in Mirror:Rules, checked at start.</summary>
    public CacheRules Settings => settings;

    /// <summary>The rules of the last load (the settings rules before the first); no I/O, never waits.</summary>
    public CacheRules Last => _snapshot.Last?.Rules ?? settings;

    /// <summary>The rules to serve with: from memory when fresh, else re-read (see the remarks).</summary>
    /// <remarks>Cancelling <paramref name="ct"/> abandons this caller's wait, not the shared load.</remarks>
    public async ValueTask<CacheRules> CurrentAsync(CancellationToken ct) => (await _snapshot.CurrentAsync(ct).ConfigureAwait(false)).Rules;

    /// <summary>Forgets the loaded set, so the next call reads storage (after this process changed a rule).</summary>
    public void Invalidate() => _snapshot.Invalidate();

    /// <summary>Reads the stored rules now, bypassing the cache (the admin API's view).</summary>
    public async Task<CacheRuleSnapshot> ReadAsync(CancellationToken ct) =>
        CacheRuleSnapshot.Combine(settings, await store.LoadAsync(ct).ConfigureAwait(false), configuration);

    [LoggerMessage(580, LogLevel.Warning, "Stored cache rule {Name} is not in effect: {Reason}")]
    private static partial void RuleUnreadable(ILogger logger, string name, string reason);
}
