using System.CommandLine;
using System.Globalization;
using ServerlessRegistry.Admin.Cli;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Policies;

/// <summary>What the policy commands share: how rules and locks read in words, sizes as operators type them, and the exits.</summary>
internal static partial class PolicyCommands
{
    private const int CommandLineError = 2;
    private const int OperationFailed = 1;

    /// <summary>A rule in one line, after its kind, name and repositories.</summary>
    internal static string Summary(object rule) => rule switch
    {
        RetentionRule r when r.Tags.Count == 0 => $"untagged manifests deleted {Duration(r.UntaggedAfter)} after their last push or pull; tags untouched",
        RetentionRule r => $"of tags {string.Join(", ", r.Tags)} keeps {string.Join(" or ", Criteria(r.Keep))}, deletes the rest" +
            (r.UntaggedAfter is { } after ? $"; untagged manifests deleted {Duration(after)} after their last push or pull" : ""),
        ImmutableRule r => $"tags {r.Tags} cannot be moved or deleted",
        QuotaRule r => $"at most {Size(r.LimitBytes)}, each digest counted once",
        _ => "",
    };

    /// <summary>The keep criteria of a retention rule, each in words; they combine by OR.</summary>
    internal static IEnumerable<string> Criteria(RetentionKeep keep)
    {
        if (keep.Always)
        {
            yield return "every tag";
        }

        if (keep.LastPushed is { } pushed)
        {
            yield return $"the {pushed} most recently pushed";
        }

        if (keep.LastPulled is { } pulled)
        {
            yield return $"the {pulled} most recently pulled";
        }

        if (keep.PushedWithin is { } pushedWithin)
        {
            yield return $"those pushed within {Duration(pushedWithin)}";
        }

        if (keep.PulledWithin is { } pulledWithin)
        {
            yield return $"those pulled within {Duration(pulledWithin)}";
        }

        if (keep.Matching.Count > 0)
        {
            yield return $"those matching {string.Join(" or ", keep.Matching)}";
        }

        if (keep.NotMatching.Count > 0)
        {
            yield return $"those matching none of {string.Join(", ", keep.NotMatching)}";
        }
    }

    internal static string KindOf(object rule) => PolicyRuleRow.KindOf(rule);

    internal static string RepositoriesOf(object rule) => rule switch
    {
        RetentionRule r => r.Repositories,
        ImmutableRule r => r.Repositories,
        QuotaRule r => r.Repositories,
        _ => "",
    };

    internal static string Blocks(ItemLock itemLock) => Blocks(itemLock.NoWrite, itemLock.NoDelete);

    internal static string Blocks(bool noWrite, bool noDelete) => (noWrite, noDelete) switch
    {
        (true, true) => "writes, deletes",
        (true, false) => "writes",
        _ => "deletes",
    };

    internal static string Duration(TimeSpan? duration) => duration is { } d ? Durations.Format(d) : "never";

    internal static string Size(long bytes) => $"{UsageCommand.Human(bytes)} ({bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)";

    internal static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    /// <summary>
    /// A size as operators type it: plain bytes, or a number with B, KB, MB, GB, TB (powers of 1000) or KiB, MiB, GiB, TiB
    /// (powers of 1024), in any case, e.g. 10GiB, 500MiB, 1.5GB. False for anything else, zero or negative.
    /// </summary>
    internal static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        var trimmed = text.Trim();
        var split = trimmed.Length;
        while (split > 0 && char.IsAsciiLetter(trimmed[split - 1]))
        {
            split--;
        }

        double? unit = trimmed[split..].ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "KB" => 1e3, "MB" => 1e6, "GB" => 1e9, "TB" => 1e12,
            "KIB" => 1L << 10, "MIB" => 1L << 20, "GIB" => 1L << 30, "TIB" => 1L << 40,
            _ => null,
        };
        if (unit is null || !decimal.TryParse(trimmed[..split].TrimEnd(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var value = (double)number * unit.Value;
        if (value < 1 || value > long.MaxValue / 2)
        {
            return false;
        }

        bytes = (long)value;
        return true;
    }

    /// <summary>Patterns given repeated or comma-separated (neither repository names nor tags can hold a comma).</summary>
    internal static string[] Patterns(IEnumerable<string>? values) =>
        values is null ? [] : [.. values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    /// <summary>One line on stderr, prefixed with the command as typed, and the exit code.</summary>
    private static async Task<int> FailAsync(ParseResult parse, int code, string message)
    {
        await parse.InvocationConfiguration.Error.WriteLineAsync($"{RegistryCli.CommandPath(parse)}: {message}");
        return code;
    }

    /// <summary>A command that runs against storage or, with --registry, a registry; its extra arguments are storage configuration (--Section:Key=value).</summary>
    private static Command StorageCommand(string name, string description) => new(name, description) { TreatUnmatchedTokensAsErrors = false };

    /// <summary>
    /// Sets the action: <paramref name="read"/> turns the command line into what the action needs, before any call, and
    /// throws <see cref="Mistake"/> (exit 2) for a wrong one. The action calls the admin API, through the registry with
    /// --registry or in-process against storage; a refusal is one line and exit 1 (<see cref="AdminCli.RunAsync"/>).
    /// </summary>
    private static void OnRun<T>(Command command, Func<ParseResult, T> read, Func<ParseResult, T, IAdminChannel, CancellationToken, Task<int>> action) =>
        command.SetAction(async (parse, ct) =>
        {
            T input;
            try
            {
                input = read(parse);
            }
            catch (Exception e) when (e is Mistake or FormatException)
            {
                return await FailAsync(parse, CommandLineError, e.Message);
            }

            return await AdminCli.RunAsync(parse, channel => action(parse, input, channel, ct));
        });

    /// <summary>A command-line mistake, in one line.</summary>
    private sealed class Mistake(string message) : Exception(message);
}
