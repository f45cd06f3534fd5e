using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// A cache rule as stored: the fields of <see cref="CacheRuleSettings"/> with the password replaced by the name of the
/// configuration key that holds it (<see cref="PasswordSetting"/>), so no secret is ever written to Table storage. That key
/// must be under <see cref="SecretSettings.MirrorSection"/> (Mirror:Secrets:&lt;name&gt;): the upstream is chosen by an admin
/// API caller, who must not be able to have any other setting sent to it.
/// </summary>
internal sealed record StoredCacheRule(
    string Name, string Local, string Upstream, string? Namespace, string? Username, string? PasswordSetting, TimeSpan TagCheckInterval, TimeSpan Timeout)
{
    /// <summary>The admin API's name for each field, for refusals.</summary>
    public static string Field(string setting) => setting == "Password" ? "passwordSetting" : char.ToLowerInvariant(setting[0]) + setting[1..];

    /// <summary>The longest upstream timeout a stored rule may have: a pull waits this long at most before the cache answers alone.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    /// <summary>The longest tag check interval a stored rule may have.</summary>
    public static readonly TimeSpan MaxTagCheckInterval = TimeSpan.FromDays(1);

    /// <summary>True when <see cref="PasswordSetting"/> is in the section the registry reads stored rules' secrets from.</summary>
    public bool PasswordSettingReadable => SecretSettings.IsIn(SecretSettings.MirrorSection, PasswordSetting);

    /// <summary>
    /// Checks and parses the rule with the password read from <paramref name="configuration"/> (null when the key is not
    /// set, or is not under Mirror:Secrets: for a row written before that rule: the rule then asks the upstream with its
    /// user name and no password, which the check reports). Also applied to rows read back, so a row that breaks a bound
    /// is not in effect rather than failing every pull.
    /// </summary>
    /// <exception cref="ArgumentException">A field is wrong; the message names it as the admin API does.</exception>
    public CacheRule Parse(IConfiguration? configuration)
    {
        // A huge timeout would make every pull's CancellationTokenSource throw; a day bounds how stale a tag may get.
        if (Timeout > MaxTimeout || TagCheckInterval > MaxTagCheckInterval)
        {
            throw new ArgumentException($"timeout must be at most {Durations.Format(MaxTimeout)} and tagCheckInterval at most {Durations.Format(MaxTagCheckInterval)}.");
        }

        // The placeholder keeps the "set together" check honest without the secret, which may live elsewhere.
        var settings = new CacheRuleSettings
        {
            Local = Local, Upstream = Upstream, Namespace = Namespace, Username = Username, Password = PasswordSetting is null ? null : "(setting)",
            TagCheckInterval = TagCheckInterval, Timeout = Timeout,
        };
        var rule = CacheRules.ParseRule(settings, Field);
        if (!Remote.RemoteUrls.IsSecureOrLoopback(rule.Registry))
        {
            throw new ArgumentException($"upstream '{rule.UpstreamPattern}' must be https (http only to a loopback host): a stored rule's credentials must not travel in clear.");
        }

        return rule with { Password = PasswordSettingReadable ? configuration?[PasswordSetting!] : null };
    }

    public TableRow ToRow() => new(MirrorLayout.RulesPartition, Name)
    {
        ["Local"] = Local,
        ["Upstream"] = Upstream,
        ["Namespace"] = Namespace,
        ["Username"] = Username,
        ["PasswordSetting"] = PasswordSetting,
        ["TagCheckInterval"] = TagCheckInterval.Ticks,
        ["Timeout"] = Timeout.Ticks,
    };

    public static StoredCacheRule FromRow(TableRow row) => new(
        row.RowKey, row.GetString("Local") ?? "", row.GetString("Upstream") ?? "", row.GetString("Namespace"), row.GetString("Username"),
        row.GetString("PasswordSetting"), TimeSpan.FromTicks(row.GetInt64("TagCheckInterval") ?? 0), TimeSpan.FromTicks(row.GetInt64("Timeout") ?? 0));
}

/// <summary>
/// Reads and writes stored cache rules (table mirror, PK "rules"; <see cref="MirrorLayout"/>). Writes are single-row,
/// idempotent; two operators writing one rule at once: the last write wins. Other instances see a change within
/// Mirror:RuleRefreshInterval (<see cref="CacheRuleSet"/>).
/// </summary>
internal sealed class CacheRuleStore(RegistryStorage storage)
{
    // Far above what an operator manages by hand; a bound so a damaged table cannot exhaust memory on every instance.
    public const int MaxRules = 1000;

    private string Table => MirrorLayout.Table(storage.Layout);

    /// <summary>Every stored rule, in name order (one partition query; a missing table reads as none).</summary>
    public async Task<IReadOnlyList<StoredCacheRule>> LoadAsync(CancellationToken ct)
    {
        var rows = await storage.QueryAllAsync(Table, new RowQuery { PartitionKey = MirrorLayout.RulesPartition }, MaxRules, ct).ConfigureAwait(false);
        return [.. rows.Select(StoredCacheRule.FromRow).OrderBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>The rule named <paramref name="name"/>, or null.</summary>
    public async Task<StoredCacheRule?> GetAsync(string name, CancellationToken ct) =>
        await storage.Metadata.GetAsync(Table, MirrorLayout.RulesPartition, name, ct).ConfigureAwait(false) is { } row ? StoredCacheRule.FromRow(row) : null;

    /// <summary>Creates or replaces the rule; true when it did not exist. Repeating it changes nothing more.</summary>
    public async Task<bool> PutAsync(StoredCacheRule rule, CancellationToken ct)
    {
        var existed = await storage.Metadata.GetAsync(Table, MirrorLayout.RulesPartition, rule.Name, ct).ConfigureAwait(false) is not null;
        await storage.Metadata.ExecuteAsync(Table, RowOperation.Upsert(rule.ToRow()), ct).ConfigureAwait(false);
        return !existed;
    }

    /// <summary>Deletes the rule; false when there was none. Safe to repeat.</summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken ct)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(Table, RowOperation.Delete(MirrorLayout.RulesPartition, name), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyException)
        {
            return false; // the contract's answer for a row that is not there
        }
    }
}
