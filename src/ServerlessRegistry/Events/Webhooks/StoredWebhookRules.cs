using System.Text.RegularExpressions;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Events.Webhooks;

/// <summary>
/// What a stored webhook may hold: the same URL, header and filter rules as a webhook in settings
/// (<see cref="EventsOptionsCheck"/>), plus a name usable as a table key and configuration-key names for its secrets,
/// which must be under <see cref="SecretSettings.EventsSection"/> (an admin API caller picks the URL they are sent to),
/// and a URL that is https (http only to a loopback host) without user-info. Pure; no I/O.
/// </summary>
internal static partial class StoredWebhookRules
{
    /// <summary>Letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63: a table key and a CLI argument.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>The URL rule settings webhooks follow too: an absolute http or https URL. Null when <paramref name="url"/> is one.</summary>
    public static string? UrlProblem(Uri url) =>
        url.IsAbsoluteUri && url.Scheme is "http" or "https" ? null : $"must be an absolute http(s) URL; got '{url.OriginalString}'";

    /// <summary>
    /// The problems of <paramref name="name"/>'s settings, each naming its field (<c>url</c>, <c>actions</c>…); none when
    /// usable. <paramref name="where"/> prefixes each ("eventEndpoints.ci: "), empty for a PUT.
    /// </summary>
    public static IEnumerable<string> Problems(string where, string name, string? url, string? secretSetting, IEnumerable<string> actions,
        IEnumerable<string> repositories, IReadOnlyDictionary<string, string> headerSettings)
    {
        if (!IsValidName(name))
        {
            yield return $"{where}name '{name}' must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit";
        }

        if (string.IsNullOrWhiteSpace(url))
        {
            yield return $"{where}url is required";
        }
        else if (!Uri.TryCreate(url, UriKind.RelativeOrAbsolute, out var parsed) || UrlProblem(parsed) is not null)
        {
            yield return $"{where}url must be an absolute http(s) URL; got '{WithoutUserInfo(url)}'";
        }
        else if (parsed.UserInfo.Length > 0)
        {
            yield return $"{where}url '{WithoutUserInfo(url)}' must not hold credentials; put them in headerSettings";
        }
        else if (!Remote.RemoteUrls.IsSecureOrLoopback(parsed))
        {
            yield return $"{where}url '{url}' must be https (http only to a loopback host): signatures and headers must not travel in clear";
        }

        if (secretSetting is not null && !SecretSettings.IsIn(SecretSettings.EventsSection, secretSetting))
        {
            yield return $"{where}secretSetting '{secretSetting}' {SecretSettings.Rule(SecretSettings.EventsSection)}; it names the setting holding the secret, never the secret";
        }

        foreach (var action in actions.Where(a => !EventActions.All.Contains(a, StringComparer.OrdinalIgnoreCase)))
        {
            yield return $"{where}actions has '{action}'; the actions are {string.Join(", ", EventActions.All)}";
        }

        foreach (var pattern in repositories)
        {
            if (Pattern.Check(pattern) is { } problem)
            {
                yield return $"{where}repositories: {problem}";
            }
        }

        if (headerSettings.Keys.GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            yield return $"{where}headerSettings names '{twice.Key}' twice";
        }

        foreach (var (header, setting) in headerSettings)
        {
            if (EventsOptionsCheck.ReservedHeaders.FirstOrDefault(r => string.Equals(r, header, StringComparison.OrdinalIgnoreCase)) is { } reserved)
            {
                yield return $"{where}headerSettings must not set {reserved}; the registry sets it";
            }
            else if (!EventsOptionsCheck.IsToken(header))
            {
                yield return $"{where}headerSettings has '{header}', which is not a valid header name";
            }
            else if (!SecretSettings.IsIn(SecretSettings.EventsSection, setting))
            {
                yield return $"{where}headerSettings.{header} '{setting}' {SecretSettings.Rule(SecretSettings.EventsSection)}; it names the setting holding the header's value";
            }
        }
    }

    /// <summary>
    /// The stored form, so that equal meanings compare equal (apply's second run is unchanged): actions lower-case,
    /// without duplicates, in <see cref="EventActions.All"/> order (all of them when none or all are listed: the same
    /// filter); repositories without duplicates, in the order given; an empty secret setting is none.
    /// </summary>
    public static StoredWebhook Normalize(string name, string url, string? secretSetting, IEnumerable<string> actions, IEnumerable<string> repositories,
        IReadOnlyDictionary<string, string> headerSettings)
    {
        var wanted = actions.Select(a => a.ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> normalizedActions = wanted.Count == 0 || wanted.Count == EventActions.All.Count ? [] : [.. EventActions.All.Where(wanted.Contains)];
        return new StoredWebhook(name, new Uri(url, UriKind.Absolute), string.IsNullOrEmpty(secretSetting) ? null : secretSetting,
            normalizedActions, [.. repositories.Distinct(StringComparer.Ordinal)],
            new SortedDictionary<string, string>(headerSettings.ToDictionary(h => h.Key, h => h.Value), StringComparer.Ordinal));
    }

    /// <summary>The URL as shown in a refusal: a password typed into it is never echoed.</summary>
    private static string WithoutUserInfo(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var parsed) && parsed.UserInfo.Length > 0 ? url.Replace(parsed.UserInfo + "@", "…@", StringComparison.Ordinal) : url;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")]
    private static partial Regex NamePattern();
}
