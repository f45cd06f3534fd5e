using System.CommandLine;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Policies.Quotas;
using ServerlessRegistry.Policies.Retention;

namespace ServerlessRegistry.Policies;

/// <summary><c>policy explain</c>: every rule and lock that applies to a repository or tag, in words, with retention's verdict now.</summary>
internal static partial class PolicyCommands
{
    private static Command ExplainCommand()
    {
        var target = new Argument<string>("repository") { Description = "A repository (team/app), or a tag in it (team/app:v1), or a manifest (team/app@sha256:…)." };
        var command = StorageCommand("explain", "Say which retention, immutable and quota rules and which locks apply, and what retention would do now (a dry run).");
        command.Arguments.Add(target);
        OnRun(command, parse => LockTarget.Parse(parse.GetRequiredValue(target)), async (parse, item, services, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var set = await services.GetRequiredService<PolicyStore>().LoadAsync(ct);
            var lines = new List<string>();
            var repository = item.Repository;
            var retention = set.RetentionFor(repository).ToList();
            foreach (var rule in retention)
            {
                lines.Add(item.Tag is not { } tag || rule.Tags.Any(p => Pattern.Matches(p, tag))
                    ? $"retention '{rule.Name}' ({rule.Repositories}): {Summary(rule)}."
                    : $"retention '{rule.Name}' ({rule.Repositories}): does not decide on tag {tag} (its tags: {(rule.Tags.Count == 0 ? "none" : string.Join(", ", rule.Tags))}), so the tag is kept by it.");
            }

            foreach (var rule in set.ImmutableFor(repository))
            {
                lines.Add(item.Tag is not { } tag ? $"immutable '{rule.Name}' ({rule.Repositories}): {Summary(rule)}."
                    : Pattern.Matches(rule.Tags, tag) ? $"immutable '{rule.Name}' ({rule.Repositories}): tag {tag} matches {rule.Tags}, so it cannot be moved or deleted."
                    : $"immutable '{rule.Name}' ({rule.Repositories}): tag {tag} does not match {rule.Tags}, so it may be moved or deleted.");
            }

            var ledger = services.GetRequiredService<QuotaLedger>();
            foreach (var rule in set.QuotasFor(repository))
            {
                var use = await ledger.ReadAsync(rule, ct);
                lines.Add($"quota '{rule.Name}' ({rule.Repositories}, counted together): {Summary(rule)}; {UsageCommandLine(use.UsedBytes, rule.LimitBytes)}.");
            }

            foreach (var itemLock in set.LocksIn(repository).Where(l => Applies(l.Target, item)))
            {
                lines.Add($"lock on {itemLock.Target}: blocks {Blocks(itemLock).Replace(", ", " and ", StringComparison.Ordinal)}" +
                    (itemLock.Target.Digest is not null && item.Digest is null ? " (of that manifest, and of the tags pointing at it)." : "."));
            }

            await output.WriteLineAsync(lines.Count == 0
                ? $"No rule or lock applies to {item}: retention keeps it, and pushes and deletes are not limited."
                : $"{item}: {lines.Count} {(lines.Count == 1 ? "rule or lock applies" : "rules and locks apply")}.");
            foreach (var line in lines)
            {
                await output.WriteLineAsync("  " + line);
            }

            if (retention.Count > 0)
            {
                await ExplainRetentionAsync(output, services, item, ct);
            }

            return 0;
        });
        return command;
    }

    /// <summary>A lock applies to a repository's every item, a tag's lock to that tag, a manifest's lock to it and its tags.</summary>
    private static bool Applies(LockTarget lockTarget, LockTarget item) =>
        lockTarget.Tag is null && lockTarget.Digest is null
        || item.Tag is null && item.Digest is null
        || lockTarget.Tag is { } tag && tag == item.Tag
        || lockTarget.Digest is { } digest && (digest == item.Digest || item.Tag is not null);

    /// <summary>What a dry run of retention on the repository decides now, for the tag or manifest asked about, or in total.</summary>
    private static async Task ExplainRetentionAsync(TextWriter output, IServiceProvider services, LockTarget item, CancellationToken ct)
    {
        var grace = services.GetRequiredService<IOptions<MaintenanceOptions>>().Value.GracePeriod;
        var report = await services.GetRequiredService<RetentionRunner>().RunAsync(dryRun: true, grace, item.Repository, withKept: true, progress: null, ct);
        if (item.Tag is null && item.Digest is null)
        {
            var tags = report.Deleted.Count(v => v.Tag is not null);
            await output.WriteLineAsync($"Retention now (dry run): of {report.TagsChecked:N0} tags it would delete {tags:N0}, and {report.Deleted.Count - tags:N0} untagged manifests.");
            foreach (var verdict in report.Deleted)
            {
                await output.WriteLineAsync($"  would delete {Subject(verdict)}: '{verdict.Rule}' {verdict.Reason}");
            }

            return;
        }

        var verdicts = report.Deleted.Concat(report.Kept)
            .Where(v => item.Tag is { } tag ? v.Tag == tag : v.Tag is null && v.Digest == item.Digest)
            .ToList();
        if (verdicts.Count == 0)
        {
            await output.WriteLineAsync($"Retention now (dry run): no verdict on {item}; it does not exist, or no rule decides on it.");
        }

        foreach (var verdict in verdicts)
        {
            await output.WriteLineAsync($"Retention now (dry run): {(verdict.Deleted ? "would delete" : "keeps")} {Subject(verdict)}: '{verdict.Rule}' {verdict.Reason}");
        }
    }

    private static string Subject(RetentionVerdict verdict) =>
        verdict.Tag is { } tag ? $"{verdict.Repository}:{tag} ({verdict.Digest})" : $"{verdict.Repository}@{verdict.Digest}";
}
