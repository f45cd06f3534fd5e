using System.CommandLine;
using ServerlessRegistry.Admin.Cli;
using ServerlessRegistry.Cli;

namespace ServerlessRegistry.Policies;

/// <summary><c>policy retention|immutable|quota set</c> and <c>policy remove</c>: rules are created or replaced whole, by name.</summary>
internal static partial class PolicyCommands
{
    private static Argument<string> NameArgument() => new("name") { Description = "The rule's name: a-z, 0-9, '.', '_', '-'; unique across kinds." };

    private static Option<string> RepositoriesOption() =>
        new("--repositories") { HelpName = "pattern", Description = "Repository pattern: team/* (one level), team/** (any depth), ** (every repository). Required." };

    private static Command RetentionSetCommand()
    {
        var name = NameArgument();
        var repositories = RepositoriesOption();
        var tags = PatternsOption("--tags", "Tag patterns the rule decides on (default ** when a keep criterion is given); other tags are kept.");
        var lastPushed = new Option<int?>("--keep-last-pushed") { HelpName = "N", Description = "Keep the N most recently pushed tags, per repository." };
        var lastPulled = new Option<int?>("--keep-last-pulled") { HelpName = "N", Description = "Keep the N most recently pulled tags, per repository (never pulled: as of its push)." };
        var pushedWithin = new Option<string>("--keep-pushed-within") { HelpName = "period", Description = "Keep tags pushed within this period (30d, 12h)." };
        var pulledWithin = new Option<string>("--keep-pulled-within") { HelpName = "period", Description = "Keep tags whose manifest was pulled within this period (30d, 12h)." };
        var matching = PatternsOption("--keep-matching", "Keep tags matching any of these patterns.");
        var notMatching = PatternsOption("--keep-not-matching", "Keep tags matching none of these patterns.");
        var always = new Option<bool>("--keep-always") { Description = "Keep every tag in scope." };
        var untaggedAfter = new Option<string>("--untagged-after") { HelpName = "period", Description = "Delete untagged manifests not pushed or pulled for this long (7d)." };
        var command = StorageCommand("set", "Create or replace a retention rule. Keep criteria combine by OR; a tag no rule covers is kept.");
        foreach (var option in new Option[] { repositories, tags, lastPushed, lastPulled, pushedWithin, pulledWithin, matching, notMatching, always, untaggedAfter })
        {
            command.Options.Add(option);
        }

        command.Arguments.Add(name);
        OnSet(command, parse =>
        {
            var keep = new RetentionKeep(parse.GetValue(lastPushed), parse.GetValue(lastPulled), Period(parse, pushedWithin), Period(parse, pulledWithin),
                Patterns(parse.GetValue(matching)), Patterns(parse.GetValue(notMatching)), parse.GetValue(always));
            var tagPatterns = Patterns(parse.GetValue(tags));
            var scope = tagPatterns.Length > 0 || !PolicyStore.HasCriteria(keep) ? tagPatterns : ["**"];
            return new RetentionRule(parse.GetRequiredValue(name), Required(parse, repositories), scope, keep, Period(parse, untaggedAfter));
        }, (rule, _) => $"Retention rule '{rule.Name}' set on {rule.Repositories}: {Summary(rule)}.");
        return Group("retention", "Retention rules: which tags to keep; the rest is deleted by 'policy run' and the daily job.", command);
    }

    private static Command ImmutableSetCommand()
    {
        var name = NameArgument();
        var repositories = RepositoriesOption();
        var tags = new Option<string>("--tags") { HelpName = "pattern", Description = "Tag pattern: matching tags cannot be moved to another digest or deleted (v*, release-*). Required." };
        var command = StorageCommand("set", "Create or replace an immutable-tag rule.");
        command.Arguments.Add(name);
        command.Options.Add(repositories);
        command.Options.Add(tags);
        OnSet(
            command,
            parse => new ImmutableRule(parse.GetRequiredValue(name), Required(parse, repositories), Required(parse, tags)),
            (rule, _) => $"Immutable rule '{rule.Name}' set on {rule.Repositories}: {Summary(rule)}.");
        return Group("immutable", "Immutable-tag rules: matching tags cannot be moved or deleted.", command);
    }

    private static Command QuotaSetCommand()
    {
        var name = NameArgument();
        var repositories = RepositoriesOption();
        var limit = new Option<string>("--limit") { HelpName = "size", Description = "What the repositories may store together, each digest once: 10GiB, 500MiB, 1.5GB or bytes. Required." };
        var command = StorageCommand("set", "Create or replace a storage quota; its counter starts at what the repositories hold now.");
        command.Arguments.Add(name);
        command.Options.Add(repositories);
        command.Options.Add(limit);
        // The registry counts what the repositories hold at once, so the quota starts from the truth rather than from zero.
        OnSet(command, parse =>
        {
            var text = Required(parse, limit);
            return TryParseSize(text, out var bytes)
                ? new QuotaRule(parse.GetRequiredValue(name), Required(parse, repositories), bytes)
                : throw new Mistake($"--limit '{text}' is not a size; give 10GiB, 500MiB, 1.5GB or a number of bytes above zero.");
        }, (rule, view) => $"Quota '{rule.Name}' set on {rule.Repositories}: {Summary(rule)}; {UsageCommandLine(view.Use?.UsedBytes ?? 0, rule.LimitBytes)}.");
        return Group("quota", "Storage quotas: pushes that would pass the limit are refused.", command);
    }

    private static Command RemoveCommand()
    {
        var name = NameArgument();
        var command = StorageCommand("remove", "Remove a rule of any kind (a quota's counter goes with it).");
        command.Arguments.Add(name);
        OnRun(command, parse => parse.GetRequiredValue(name), async (parse, ruleName, channel, ct) =>
        {
            // The registry reads only the row's kind, never its fields: an unreadable rule, or one of a kind this version
            // does not know, must be removable, since the errors about them say to remove them.
            var removed = await channel.CallAsync<RemovedPolicy>(new AdminCall("deletePolicy") { Route = Route("name", ruleName) }, ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, removed);
                return 0;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"Removed {(removed.Kind.Length > 0 ? removed.Kind + " " : "")}rule '{ruleName}'; other instances stop applying it within {PolicyCache.MaxStaleness.TotalSeconds:0} s.");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// A <c>set</c> action: builds and checks the rule before any call, puts it (PUT /policies/{name}), then prints what
    /// <paramref name="confirm"/> says of the rule and the registry's answer.
    /// </summary>
    private static void OnSet<T>(Command command, Func<ParseResult, T> build, Func<T, PolicyView, string> confirm)
        where T : notnull =>
        OnRun(command, parse =>
        {
            var rule = build(parse);
            return PolicyStore.Check(rule) is { } problem ? throw new Mistake(problem) : rule;
        }, async (parse, rule, channel, ct) =>
        {
            var call = new AdminCall("putPolicy") { Route = Route("name", PolicyRuleRow.NameOf(rule)), Body = PolicySpecs.FromRule(rule) };
            var view = await channel.CallAsync<PolicyView>(call, ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, view);
                return 0;
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync(confirm(rule, view));
            return 0;
        });

    private static Dictionary<string, string> Route(string name, string value) => new(StringComparer.Ordinal) { [name] = value };

    internal static string UsageCommandLine(long used, long limit) => "in use: " + Use(used, limit);

    private static string Use(long used, long limit) => $"{Size(used)}, {(limit > 0 ? 100.0 * used / limit : 0):0.#}% of the limit";

    // Checked here rather than by the parser, whose refusal is a page of help rather than one line with exit 2.
    private static string Required(ParseResult parse, Option<string> option) =>
        parse.GetValue(option) is { Length: > 0 } value ? value : throw new Mistake($"{option.Name} is required; see '{RegistryCli.CommandPath(parse)} --help'.");

    private static Option<string[]> PatternsOption(string name, string description) =>
        new(name) { HelpName = "pattern", Description = description + " Repeat, or separate with commas.", AllowMultipleArgumentsPerToken = true };

    private static TimeSpan? Period(ParseResult parse, Option<string> option) =>
        parse.GetValue(option) is not { } text ? null
        : Durations.TryParse(text, out var period) && period > TimeSpan.Zero ? period
        : throw new Mistake($"{option.Name} '{text}' is not a period; give 30d, 12h or 90m.");

    private static Command Group(string name, string description, Command set)
    {
        var group = new Command(name, description);
        group.Subcommands.Add(set);
        return group;
    }
}
