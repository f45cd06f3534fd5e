using System.Text.RegularExpressions;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// Where runtime-stored rules (cache rules, webhooks) may read secrets from, and where they may send them. A stored rule
/// names a configuration key and an admin API caller chooses both the name and the URL the value goes to, so the name
/// is confined to a section that holds nothing but such secrets (else Storage:AccountKey could be sent anywhere), and
/// the URL must be https unless it is a loopback host (<see cref="Remote.RemoteUrls"/>). Pure; no I/O.
/// </summary>
internal static partial class SecretSettings
{
    /// <summary>The section cache rules' passwordSetting must be in (app setting Mirror__Secrets__{name} in Azure).</summary>
    public const string MirrorSection = "Mirror:Secrets:";

    /// <summary>The section stored webhooks' secretSetting and headerSettings must be in (app setting Events__Secrets__{name}).</summary>
    public const string EventsSection = "Events:Secrets:";

    /// <summary>True when <paramref name="key"/> is <paramref name="section"/> followed by a plain name (letters, digits, '-', '_', '.').</summary>
    public static bool IsIn(string section, string? key) =>
        key is not null && key.Length > section.Length && key.StartsWith(section, StringComparison.OrdinalIgnoreCase) && NamePattern().IsMatch(key[section.Length..]);

    /// <summary>The rule, for refusals: "must be Mirror:Secrets:&lt;name&gt; (…)".</summary>
    public static string Rule(string section) =>
        $"must be {section}<name> (letters, digits, '-', '_', '.'; in Azure the app setting {section.Replace(":", "__", StringComparison.Ordinal)}<name>, " +
        "a Key Vault reference): secrets for stored rules go there, and no other setting is read";

    /// <summary>What a check or a delivery reports for a stored key outside <paramref name="section"/> (written before the rule existed): it is not read.</summary>
    public static string NotRead(string section, string key) => $"the setting '{key}' is not read: it is not under {section} (set it there and store the new name)";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    private static partial Regex NamePattern();
}
