using System.Text.RegularExpressions;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// What the admin API checks before storing a cache rule, and how it shows rules. A stored rule passes the same parser
/// as the settings rules; a name or local name that a settings rule holds is a conflict, since settings always win.
/// </summary>
internal static partial class CacheRuleChecks
{
    /// <summary>Settings rules are named by their index in Mirror:Rules: settings-0, settings-1, …</summary>
    public const string SettingsPrefix = "settings-";

    private static readonly TimeSpan DefaultTagCheckInterval = new CacheRuleSettings().TagCheckInterval;
    private static readonly TimeSpan DefaultTimeout = new CacheRuleSettings().Timeout;

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();

    /// <summary>The settings rule's index when <paramref name="name"/> is settings-N for an existing N, else null.</summary>
    public static int? SettingsIndex(string name, int settingsCount) =>
        name.StartsWith(SettingsPrefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(SettingsPrefix.Length), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var index) && index < settingsCount && name == SettingsPrefix + index.ToString(System.Globalization.CultureInfo.InvariantCulture)
            ? index : null;

    /// <summary>
    /// The rule to store for <paramref name="name"/> and <paramref name="spec"/>, or a refusal (INVALID naming the field, or
    /// CONFLICT with a settings rule or another stored rule in <paramref name="others"/>) prefixed with <paramref name="where"/>.
    /// </summary>
    public static StoredCacheRule Check(string name, CacheRuleSpec spec, IReadOnlyList<CacheRuleSettings> settings, IEnumerable<(string Name, CacheRule Rule)> others, string where)
    {
        if (SettingsIndex(name, settings.Count) is { } index)
        {
            Fail.With(ErrorKind.Conflict, $"{where}'{name}' is the settings rule Mirror:Rules:{index}; change it in settings, or store a rule under another name");
        }

        if (name.StartsWith(SettingsPrefix, StringComparison.Ordinal) || !NamePattern().IsMatch(name))
        {
            Fail.With(ErrorKind.Invalid, $"{where}the name '{name}' must be 1 to 63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit, and not start with '{SettingsPrefix}'");
        }

        var rule = new StoredCacheRule(name, spec.Local.Trim(), spec.Upstream.Trim(), Trimmed(spec.Namespace), Trimmed(spec.Username), Trimmed(spec.PasswordSetting),
            Duration(spec.TagCheckInterval, DefaultTagCheckInterval, "tagCheckInterval", where), Duration(spec.Timeout, DefaultTimeout, "timeout", where));
        if (rule.PasswordSetting is { } key && !rule.PasswordSettingReadable)
        {
            Fail.With(ErrorKind.Invalid, $"{where}passwordSetting '{key}' {SecretSettings.Rule(SecretSettings.MirrorSection)}");
        }

        CacheRule parsed;
        try
        {
            parsed = rule.Parse(null);
        }
        catch (ArgumentException e)
        {
            return Fail.With<StoredCacheRule>(ErrorKind.Invalid, where + e.Message);
        }

        for (var i = 0; i < settings.Count; i++)
        {
            var held = CacheRules.ParseRule(settings[i], f => f);
            if (held.Local == parsed.Local && held.IsPrefix == parsed.IsPrefix)
            {
                Fail.With(ErrorKind.Conflict, $"{where}local '{parsed.LocalPattern}' is served by the settings rule settings-{i} ({held}), which wins; store no rule for it");
            }
        }

        if (others.FirstOrDefault(o => o.Name != name && o.Rule.Local == parsed.Local && o.Rule.IsPrefix == parsed.IsPrefix) is { Name: not null } twin)
        {
            Fail.With(ErrorKind.Conflict, $"{where}local '{parsed.LocalPattern}' is served by the stored rule '{twin.Name}'; change or remove that one");
        }

        return rule;
    }

    /// <summary>Every rule, settings first (settings-N) then stored, as the admin API shows them, with the parsed form to check.</summary>
    public static List<(CacheRuleView View, CacheRule? Rule)> Views(IReadOnlyList<CacheRuleSettings> settings, CacheRuleSnapshot snapshot)
    {
        var views = new List<(CacheRuleView, CacheRule?)>();
        for (var i = 0; i < settings.Count; i++)
        {
            var index = i;
            var rule = CacheRules.ParseRule(settings[i], f => $"Mirror:Rules:{index}:{f}");
            views.Add((View(SettingsPrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), CacheRuleSource.Settings, rule, null), rule));
        }

        foreach (var (stored, parsed, shadowed) in snapshot.Stored)
        {
            var view = parsed is null
                ? new CacheRuleView(stored.Name, CacheRuleSource.Stored, stored.Local, stored.Upstream, stored.Namespace ?? "", false,
                    Durations.Format(stored.TagCheckInterval), Durations.Format(stored.Timeout)) { Username = stored.Username, PasswordSetting = stored.PasswordSetting }
                : View(stored.Name, CacheRuleSource.Stored, parsed, stored.PasswordSetting) with { Shadowed = shadowed ? true : null };
            views.Add((view, parsed));
        }

        return views;
    }

    public static CacheRuleView View(string name, CacheRuleSource source, CacheRule rule, string? passwordSetting) => new(
        name, source, rule.LocalPattern, rule.UpstreamPattern, rule.Namespace, rule.Password is not null,
        Durations.Format(rule.TagCheckInterval), Durations.Format(rule.Timeout)) { Username = rule.Username, PasswordSetting = passwordSetting };

    /// <summary>The fields in which two versions of a stored rule differ, for apply's report.</summary>
    public static string Differences(StoredCacheRule before, StoredCacheRule after) => string.Join(", ", new (string Field, bool Differs)[]
    {
        ("local", before.Local != after.Local), ("upstream", before.Upstream != after.Upstream), ("namespace", before.Namespace != after.Namespace),
        ("username", before.Username != after.Username), ("passwordSetting", before.PasswordSetting != after.PasswordSetting),
        ("tagCheckInterval", before.TagCheckInterval != after.TagCheckInterval), ("timeout", before.Timeout != after.Timeout),
    }.Where(d => d.Differs).Select(d => d.Field));

    private static TimeSpan Duration(string? text, TimeSpan fallback, string field, string where) =>
        string.IsNullOrWhiteSpace(text) ? fallback
        : Durations.TryParse(text.Trim(), out var value) ? value
        : Fail.With<TimeSpan>(ErrorKind.Invalid, $"{where}{field} '{text}' must be a duration like 30s, 5m, 12h or 1d");

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
