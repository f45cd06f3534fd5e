using System.Globalization;

namespace ServerlessRegistry.Cli;

/// <summary>Durations as operators type them: 30d, 12h, 90m, 45s, or a TimeSpan (d.hh:mm:ss).</summary>
internal static class Durations
{
    /// <summary>The longest duration accepted: added to now, anything longer could pass the calendar's end.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(36_500);

    /// <summary>Parses a non-negative duration of at most <see cref="Max"/> (100 years); false for anything else.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        if (text.Length > 1 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= 100_000)
        {
            TimeSpan? unit = text[^1] switch { 'd' => TimeSpan.FromDays(1), 'h' => TimeSpan.FromHours(1), 'm' => TimeSpan.FromMinutes(1), 's' => TimeSpan.FromSeconds(1), _ => null };
            if (unit is { } u)
            {
                duration = u * n;
                return duration <= Max;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration >= TimeSpan.Zero && duration <= Max;
    }

    /// <summary>
    /// The form <see cref="TryParse"/> reads back: the largest whole unit (30d, 12h, 90m, 45s), "0s" for zero, else a
    /// TimeSpan (d.hh:mm:ss.fffffff). For the command line's text and the admin API's JSON alike.
    /// </summary>
    public static string Format(TimeSpan duration)
    {
        foreach (var (unit, suffix) in new[] { (TimeSpan.FromDays(1), 'd'), (TimeSpan.FromHours(1), 'h'), (TimeSpan.FromMinutes(1), 'm'), (TimeSpan.FromSeconds(1), 's') })
        {
            if (duration > TimeSpan.Zero && duration.Ticks % unit.Ticks == 0 && duration.Ticks / unit.Ticks <= 100_000)
            {
                return (duration.Ticks / unit.Ticks).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }

        return duration == TimeSpan.Zero ? "0s" : duration.ToString("c", CultureInfo.InvariantCulture);
    }
}
