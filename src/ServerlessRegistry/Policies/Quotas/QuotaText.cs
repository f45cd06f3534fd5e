using System.Globalization;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Policies.Quotas;

/// <summary>How quotas read in refusals and reports: the quota, its scope and limit, the use, in binary units.</summary>
internal static class QuotaText
{
    /// <summary>"10 GiB", "9.8 GiB", "300 MiB", "512 B": one decimal, dropped when it is zero.</summary>
    public static string Size(long bytes) => UsageCommand.Human(bytes).Replace(".0 ", " ", StringComparison.Ordinal);

    /// <summary>"quota 'team' (10 GiB for team/*)".</summary>
    public static string Name(QuotaRule rule) => $"quota '{rule.Name}' ({Size(rule.LimitBytes)} for {rule.Repositories})";

    /// <summary>A charge that would pass the limit.</summary>
    public static string Exceeded(QuotaRule rule, long used, long size) =>
        $"{Name(rule)} is used {Size(used)} of {Size(rule.LimitBytes)}; this push needs {Size(size)} more";

    /// <summary>An upload refused before it starts: the quota is used up, or the declared size would pass it.</summary>
    public static string Full(QuotaRule rule, long used, long? size) => size is { } declared && used < rule.LimitBytes
        ? Exceeded(rule, used, declared)
        : $"{Name(rule)} is used up ({Size(used)} of {Size(rule.LimitBytes)}); delete content or raise the limit before pushing more";

    /// <summary>The error body's detail: the rule's name and the numbers, in bytes.</summary>
    public static (string Key, string? Value)[] Detail(QuotaRule rule, long used, long? size) =>
    [
        ("rule", rule.Name),
        ("limit", rule.LimitBytes.ToString(CultureInfo.InvariantCulture)),
        ("used", used.ToString(CultureInfo.InvariantCulture)),
        ("size", size?.ToString(CultureInfo.InvariantCulture)),
    ];
}
