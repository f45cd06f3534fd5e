using System.CommandLine;
using ServerlessRegistry.Cli;

namespace ServerlessRegistry.Events.Replication;

/// <summary>
/// <c>replication run [--rule NAME] [--dry-run]</c> and <c>replication status [--rule NAME]</c>: the full sync of
/// Events:Replication, as the timer runs it, and the comparison alone. Extra arguments are configuration, as for serve
/// (e.g. --Events:Replication:0:Name=backup --Events:Replication:0:Destination=https://… --Events:Replication:0:Repositories:0=**).
/// </summary>
internal static class ReplicationCommands
{
    public static Command Create()
    {
        var replication = new Command("replication", "Copy pushed images to other registries (Events:Replication rules).");
        replication.Subcommands.Add(RunCommand());
        replication.Subcommands.Add(StatusCommand());
        return replication;
    }

    /// <summary>
    /// One line per repository on stdout (<c>backup: team/app -> host/backup/team/app: 3 tags: 1 copied, 2 in sync, 0 failed</c>),
    /// one per failed tag on stderr, then the summary. Exit 0 when nothing failed, 1 otherwise, 2 for an unknown rule.
    /// </summary>
    private static Command RunCommand()
    {
        var rule = RuleOption();
        var dryRun = new Option<bool>("--dry-run") { Description = "Compare and report what would be copied; copy nothing." };
        var command = new Command("run", "Copy every tag the rules match that the destination lacks or holds differently.") { TreatUnmatchedTokensAsErrors = false };
        command.Options.Add(rule);
        command.Options.Add(dryRun);
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return await CliServices.WithAsync(parse, async services =>
            {
                if (await UnknownRuleAsync(services, parse.GetValue(rule), error, "replication run") is { } code)
                {
                    return code;
                }

                var report = await services.GetRequiredService<ReplicationSync>().RunAsync(parse.GetValue(rule), parse.GetValue(dryRun), new LineProgress(output), ct);
                foreach (var failure in report.Rules.SelectMany(r => r.Failures.Select(f => $"{r.Rule.Name}: {f}")))
                {
                    await error.WriteLineAsync("replication run: FAILED: " + failure);
                }

                await output.WriteLineAsync(report.Summary());
                return report.Failures == 0 ? 0 : 1;
            });
        });
        return command;
    }

    /// <summary>
    /// One line per rule: <c>backup -> https://host/backup: 5 tags in 2 repositories: 3 in sync, 2 behind (team/app:1.1, team/app:latest), 0 failed</c>.
    /// Copies nothing. Exit 0 when every rule is in sync, 1 otherwise.
    /// </summary>
    private static Command StatusCommand()
    {
        var rule = RuleOption();
        var command = new Command("status", "Compare each rule's tags here with its destination; copy nothing.") { TreatUnmatchedTokensAsErrors = false };
        command.Options.Add(rule);
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            return await CliServices.WithAsync(parse, async services =>
            {
                if (await UnknownRuleAsync(services, parse.GetValue(rule), error, "replication status") is { } code)
                {
                    return code;
                }

                var report = await services.GetRequiredService<ReplicationSync>().RunAsync(parse.GetValue(rule), dryRun: true, null, ct);
                foreach (var r in report.Rules)
                {
                    await output.WriteLineAsync(StatusLine(r));
                }

                return report.Rules.All(r => r.Behind.Count == 0 && r.Failures.Count == 0) ? 0 : 1;
            });
        });
        return command;
    }

    internal static string StatusLine(RuleSyncReport r)
    {
        const int shown = 5;
        var behind = r.Behind.Count == 0 ? "" : " (" + string.Join(", ", r.Behind.Take(shown)) + (r.Behind.Count > shown ? $", and {r.Behind.Count - shown} more" : "") + ")";
        var failed = r.Failures.Count == 0 ? "" : $" (first: {r.Failures[0]})";
        return $"{r.Rule}: {r.Tags} tags in {r.Repositories} repositories: {r.InSync} in sync, {r.Behind.Count} behind{behind}, {r.Failures.Count} failed{failed}";
    }

    private static Option<string> RuleOption() => new("--rule") { Description = "Only this rule (its Events:Replication:N:Name)." };

    /// <summary>Null when the rule exists or none was named; else writes the one-line error and returns exit code 2 (1 with no rules at all).</summary>
    private static async Task<int?> UnknownRuleAsync(IServiceProvider services, string? name, TextWriter error, string command)
    {
        var all = services.GetRequiredService<ReplicationRules>().All;
        if (all.Count == 0)
        {
            await error.WriteLineAsync($"{command}: no replication rules configured (Events:Replication:N:Name, Destination and Repositories).");
            return name is null ? 0 : 2;
        }

        if (name is null || all.Any(r => r.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        await error.WriteLineAsync($"{command}: no replication rule named '{name}'; configured: {string.Join(", ", all.Select(r => r.Name))}.");
        return 2;
    }

    private sealed class LineProgress(TextWriter writer) : IProgress<string>
    {
        public void Report(string value) => writer.WriteLine(value);
    }
}
