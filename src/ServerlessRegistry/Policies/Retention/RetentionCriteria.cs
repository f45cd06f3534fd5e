using System.Globalization;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>What retention knows about one tag: its manifest, when it was pushed, and when its manifest was last pulled.</summary>
internal sealed record TagFacts(string Tag, string Digest, DateTimeOffset PushedAt, DateTimeOffset? PulledAt)
{
    /// <summary>"Last pulled" for ranking and periods: a manifest never pulled counts from the tag's push.</summary>
    public DateTimeOffset LastPulled => PulledAt ?? PushedAt;
}

/// <summary>
/// One rule's verdict on the tags in its scope, in one repository: kept when any criterion holds (OR, as Harbor's).
/// Each verdict says why in words, both ways: the first criterion that keeps a tag, or every criterion that does not.
/// </summary>
/// <remarks>Pure and deterministic: ranks break ties in push (or pull) time by tag name.</remarks>
internal static class RetentionCriteria
{
    /// <summary>The tags of <paramref name="tags"/> in the rule's scope (its tag patterns).</summary>
    public static List<TagFacts> Scope(RetentionRule rule, IEnumerable<TagFacts> tags) =>
        [.. tags.Where(t => rule.Tags.Any(p => Pattern.Matches(p, t.Tag)))];

    /// <summary>Per tag in <paramref name="scope"/>: whether <paramref name="rule"/> keeps it, and why (or why not).</summary>
    public static Dictionary<string, (bool Kept, string Reason)> Judge(RetentionRule rule, IReadOnlyList<TagFacts> scope, DateTimeOffset now)
    {
        var pushedRank = Rank(scope, t => t.PushedAt);
        var pulledRank = Rank(scope, t => t.LastPulled);
        var verdicts = new Dictionary<string, (bool, string)>(StringComparer.Ordinal);
        foreach (var tag in scope)
        {
            verdicts[tag.Tag] = Judge(rule.Keep, tag, pushedRank[tag.Tag], pulledRank[tag.Tag], now);
        }

        return verdicts;
    }

    private static (bool Kept, string Reason) Judge(RetentionKeep keep, TagFacts tag, int pushedRank, int pulledRank, DateTimeOffset now)
    {
        var missed = new List<string>();
        if (keep.Always)
        {
            return (true, "always kept");
        }

        if (keep.LastPushed is { } pushedCount)
        {
            if (pushedRank <= pushedCount)
            {
                return (true, $"among the {pushedCount} most recently pushed ({Ordinal(pushedRank)})");
            }

            missed.Add($"not among the {pushedCount} most recently pushed ({Ordinal(pushedRank)})");
        }

        if (keep.LastPulled is { } pulledCount)
        {
            if (pulledRank <= pulledCount)
            {
                return (true, $"among the {pulledCount} most recently pulled ({Ordinal(pulledRank)})");
            }

            missed.Add($"not among the {pulledCount} most recently pulled ({Ordinal(pulledRank)})");
        }

        if (keep.PushedWithin is { } pushedWithin)
        {
            if (tag.PushedAt > now - pushedWithin)
            {
                return (true, $"pushed within {Period(pushedWithin)}");
            }

            missed.Add($"not pushed within {Period(pushedWithin)}");
        }

        if (keep.PulledWithin is { } pulledWithin)
        {
            if (tag.LastPulled > now - pulledWithin)
            {
                return (true, tag.PulledAt is null ? $"never pulled, pushed within {Period(pulledWithin)}" : $"pulled within {Period(pulledWithin)}");
            }

            missed.Add($"not pulled within {Period(pulledWithin)}");
        }

        if (keep.Matching.FirstOrDefault(p => Pattern.Matches(p, tag.Tag)) is { } matched)
        {
            return (true, $"matches '{matched}'");
        }

        if (keep.Matching.Count > 0)
        {
            missed.Add($"matches none of {List(keep.Matching)}");
        }

        if (keep.NotMatching.Count > 0)
        {
            if (keep.NotMatching.FirstOrDefault(p => Pattern.Matches(p, tag.Tag)) is not { } excluded)
            {
                return (true, $"matches none of {List(keep.NotMatching)}");
            }

            missed.Add($"matches '{excluded}'");
        }

        if (missed.Count == 0)
        {
            missed.Add("the rule keeps nothing");
        }

        missed.Add(Pushed(tag));
        missed.Add(tag.PulledAt is { } pulled ? $"last pulled {Day(pulled)}" : "never pulled");
        return (false, string.Join("; ", missed));
    }

    /// <summary>1-based rank by <paramref name="time"/>, newest first; ties by tag name.</summary>
    private static Dictionary<string, int> Rank(IReadOnlyList<TagFacts> scope, Func<TagFacts, DateTimeOffset> time)
    {
        var ranks = new Dictionary<string, int>(StringComparer.Ordinal);
        var rank = 0;
        foreach (var tag in scope.OrderByDescending(time).ThenBy(t => t.Tag, StringComparer.Ordinal))
        {
            ranks[tag.Tag] = ++rank;
        }

        return ranks;
    }

    public static string Pushed(TagFacts tag) => tag.PushedAt == DateTimeOffset.MinValue ? "push time unknown" : $"pushed {Day(tag.PushedAt)}";

    public static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A period as operators type it (Cli/Durations): 30d, 12h, 90m, 45s.</summary>
    public static string Period(TimeSpan period) =>
        period.Ticks % TimeSpan.TicksPerDay == 0 ? $"{period.TotalDays:0}d"
        : period.Ticks % TimeSpan.TicksPerHour == 0 ? $"{period.TotalHours:0}h"
        : period.Ticks % TimeSpan.TicksPerMinute == 0 ? $"{period.TotalMinutes:0}m"
        : $"{period.TotalSeconds:0}s";

    public static string Ordinal(int n) => (n % 100) switch
    {
        11 or 12 or 13 => $"{n}th",
        _ => (n % 10) switch { 1 => $"{n}st", 2 => $"{n}nd", 3 => $"{n}rd", _ => $"{n}th" },
    };

    private static string List(IReadOnlyList<string> patterns) => string.Join(", ", patterns.Select(p => $"'{p}'"));
}
