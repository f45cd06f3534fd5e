using System.Text.Json;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events.Webhooks;

/// <summary>
/// The events feature's own table: the webhooks managed at runtime (the admin API, <c>apply</c>, <c>events endpoint
/// set</c>), beside those in settings (Events:Webhooks). Read whole by every instance (<see cref="StoredWebhookCache"/>).
/// </summary>
/// <remarks>
/// <code>
/// Table {prefix}eventendpoints
///     PK "webhooks"   RK {name}   a stored webhook (StoredWebhookRow): Url, SecretSetting (the NAME of a configuration key
///                                 holding the HMAC secret, never the secret), Actions, Repositories (JSON string arrays,
///                                 normalized), HeaderSettings (JSON object: header name → NAME of the configuration key
///                                 holding its value), UpdatedAt
/// </code>
/// A few dozen rows at most. The table is created by the first write (like every table; nothing in infra), and a missing
/// table reads as empty, so a registry that never stored a webhook pays one query per refresh interval and nothing else.
/// </remarks>
internal static class StoredWebhookLayout
{
    public const string WebhooksPartition = "webhooks";

    public static string Table(StorageLayout layout) => layout.Prefix + "eventendpoints";
}

/// <summary>One stored webhook, normalized as <see cref="StoredWebhookRules.Normalize"/> leaves it. Immutable.</summary>
internal sealed record StoredWebhook(string Name, Uri Url, string? SecretSetting, IReadOnlyList<string> Actions, IReadOnlyList<string> Repositories,
    IReadOnlyDictionary<string, string> HeaderSettings, DateTimeOffset? UpdatedAt = null)
{
    /// <summary>
    /// Same settings (the update time aside): what apply compares. URLs compare as typed (ordinal): Uri equality
    /// ignores user-info and fragments, so a changed URL would read as unchanged.
    /// </summary>
    public bool SameAs(StoredWebhook other) =>
        Name == other.Name && SameUrl(other) && SecretSetting == other.SecretSetting && Actions.SequenceEqual(other.Actions)
        && Repositories.SequenceEqual(other.Repositories) && SameHeaders(other);

    /// <summary>What differs from <paramref name="stored"/>, field names only (values may be sensitive): "url, actions".</summary>
    public string Differences(StoredWebhook stored) => string.Join(", ", new[]
    {
        SameUrl(stored) ? null : "url",
        SecretSetting == stored.SecretSetting ? null : "secretSetting",
        Actions.SequenceEqual(stored.Actions) ? null : "actions",
        Repositories.SequenceEqual(stored.Repositories) ? null : "repositories",
        SameHeaders(stored) ? null : "headerSettings",
    }.OfType<string>());

    private bool SameUrl(StoredWebhook other) => string.Equals(Url.OriginalString, other.Url.OriginalString, StringComparison.Ordinal);

    private bool SameHeaders(StoredWebhook other) =>
        HeaderSettings.Count == other.HeaderSettings.Count && HeaderSettings.All(h => other.HeaderSettings.TryGetValue(h.Key, out var v) && v == h.Value);
}

/// <summary>Table {prefix}eventendpoints, PK "webhooks": the row of a <see cref="StoredWebhook"/>.</summary>
internal static class StoredWebhookRow
{
    private const string UrlProperty = "Url";
    private const string SecretSettingProperty = "SecretSetting";
    private const string ActionsProperty = "Actions";
    private const string RepositoriesProperty = "Repositories";
    private const string HeaderSettingsProperty = "HeaderSettings";
    private const string UpdatedAtProperty = "UpdatedAt";

    public static TableRow ToRow(StoredWebhook webhook, DateTimeOffset now) => new(StoredWebhookLayout.WebhooksPartition, webhook.Name)
    {
        [UrlProperty] = webhook.Url.OriginalString,
        [SecretSettingProperty] = webhook.SecretSetting,
        [ActionsProperty] = JsonSerializer.Serialize(webhook.Actions, EventsJson.Default.IReadOnlyListString),
        [RepositoriesProperty] = JsonSerializer.Serialize(webhook.Repositories, EventsJson.Default.IReadOnlyListString),
        [HeaderSettingsProperty] = JsonSerializer.Serialize(webhook.HeaderSettings, EventsJson.Default.IReadOnlyDictionaryStringString),
        [UpdatedAtProperty] = now,
    };

    /// <exception cref="FormatException">The row is unreadable; the message names it.</exception>
    public static StoredWebhook FromRow(TableRow row)
    {
        try
        {
            return new StoredWebhook(row.RowKey, new Uri(row.GetString(UrlProperty) ?? throw new FormatException("no Url"), UriKind.Absolute),
                row.GetString(SecretSettingProperty),
                JsonSerializer.Deserialize(row.GetString(ActionsProperty) ?? "[]", EventsJson.Default.IReadOnlyListString) ?? [],
                JsonSerializer.Deserialize(row.GetString(RepositoriesProperty) ?? "[]", EventsJson.Default.IReadOnlyListString) ?? [],
                JsonSerializer.Deserialize(row.GetString(HeaderSettingsProperty) ?? "{}", EventsJson.Default.IReadOnlyDictionaryStringString) ?? new Dictionary<string, string>(),
                row.GetDateTime(UpdatedAtProperty));
        }
        catch (Exception e) when (e is JsonException or UriFormatException or FormatException)
        {
            throw new FormatException($"the stored webhook '{row.RowKey}' is unreadable ({e.Message}); set it again ('events endpoint set {row.RowKey} …' or PUT, which overwrites it) or remove it ('events endpoint remove {row.RowKey}').", e);
        }
    }
}
