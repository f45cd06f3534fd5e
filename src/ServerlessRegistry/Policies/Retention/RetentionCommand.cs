using System.CommandLine;
using ServerlessRegistry.Admin.Cli;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>
/// <c>policy run [--dry-run] [--repository name]</c>: applies the retention rules now, printing what is deleted and why,
/// per rule, then a summary, against storage or (--registry) through the registry's admin API. The grace period is
/// the registry's Maintenance:GracePeriod, as for gc.
/// </summary>
internal static class RetentionCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be deleted, and why; delete nothing." };
        var repository = new Option<string>("--repository") { Description = "Apply the rules to this repository only." };
        var command = new Command("run", "Apply the retention rules now (--dry-run: print what would be deleted, and why).")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(dryRun);
        command.Options.Add(repository);
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            var only = parse.GetValue(repository);
            if (only is not null && !Names.IsValidRepository(only))
            {
                await error.WriteLineAsync($"policy run: '{only}' is not a repository name.");
                return 2;
            }

            return await AdminCli.RunAsync(parse, async channel =>
            {
                var call = new AdminCall("runRetention") { Body = new RetentionRunRequest(parse.GetValue(dryRun), only) };
                var report = await channel.CallAsync<RetentionRunView>(call, ct);
                if (AdminCli.Json(parse))
                {
                    await AdminCli.WriteJsonAsync(parse, report);
                    return 0;
                }

                await WriteAsync(output, report, only);
                return 0;
            });
        });
        return command;
    }

    /// <summary>Per rule, each deletion and its reason; a tag several rules judged appears under each of them.</summary>
    private static async Task WriteAsync(TextWriter output, RetentionRunView report, string? only)
    {
        await output.WriteLineAsync(report.DryRun ? "Dry run: nothing was deleted." : "Retention finished.");
        if (only is not null && report.RepositoriesChecked == 0)
        {
            await output.WriteLineAsync($"No retention rule covers {only}.");
        }

        foreach (var rule in report.Deleted.GroupBy(v => v.Rule, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var tags = rule.Count(v => v.Tag is not null);
            var manifests = rule.Count(v => v.Tag is null);
            await output.WriteLineAsync($"rule '{rule.Key}': {tags} tags, {manifests} manifests {(report.DryRun ? "would be deleted" : "deleted")}");
            foreach (var verdict in rule)
            {
                var item = verdict.Tag is { } tag ? $"{verdict.Repository}:{tag} ({Short(verdict.Digest)})" : $"{verdict.Repository}@{verdict.Digest}";
                await output.WriteLineAsync($"  {item}: {verdict.Reason}");
            }
        }

        await output.WriteLineAsync("Summary: " + report.Summary + ".");
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;
}
