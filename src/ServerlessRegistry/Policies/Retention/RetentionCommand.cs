using System.CommandLine;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>
/// <c>policy run [--dry-run] [--repository name]</c>: applies the retention rules now, printing what is deleted and why,
/// per rule, then a summary. Progress goes to stderr. The grace period is Maintenance:GracePeriod, as for gc.
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

            return await CliServices.WithAsync(parse, async services =>
            {
                var local = LocalEmulator.IsLocal(services.GetRequiredService<IConfiguration>()["Storage:BlobEndpoint"]);
                var settings = services.GetRequiredService<IOptions<MaintenanceOptions>>().Value.With(allowShortGracePeriod: local).Validate();
                var runner = services.GetRequiredService<RetentionRunner>();
                var report = await runner.RunAsync(parse.GetValue(dryRun), settings.GracePeriod, only, false, new LineProgress(error), ct);
                await WriteAsync(output, report, only);
                return 0;
            });
        });
        return command;
    }

    /// <summary>Per rule, each deletion and its reason; a tag several rules judged appears under each of them.</summary>
    private static async Task WriteAsync(TextWriter output, RetentionReport report, string? only)
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

        await output.WriteLineAsync("Summary: " + report.Summary() + ".");
    }

    private static string Short(string digest) => digest.Length > 19 ? digest[..19] : digest;

    /// <summary>Progress on stderr every 100 repositories, so a long run shows it is alive without flooding a terminal.</summary>
    private sealed class LineProgress(TextWriter error) : IProgress<GcProgress>
    {
        public void Report(GcProgress value)
        {
            if (value.Done % 100 == 0)
            {
                error.WriteLine($"policy run: {value.Phase} {value.Done:N0}");
            }
        }
    }
}
