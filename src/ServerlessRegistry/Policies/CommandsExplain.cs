using System.CommandLine;
using ServerlessRegistry.Admin.Cli;

namespace ServerlessRegistry.Policies;

/// <summary><c>policy explain</c>: every rule and lock that applies to a repository or tag, in words, with retention's verdict now.</summary>
internal static partial class PolicyCommands
{
    private static Command ExplainCommand()
    {
        var target = new Argument<string>("repository") { Description = "A repository (team/app), or a tag in it (team/app:v1), or a manifest (team/app@sha256:…)." };
        var command = StorageCommand("explain", "Say which retention, immutable and quota rules and which locks apply, and what retention would do now (a dry run).");
        command.Arguments.Add(target);
        OnRun(command, parse => LockTarget.Parse(parse.GetRequiredValue(target)), async (parse, item, channel, ct) =>
        {
            var call = new AdminCall("explainPolicies") { Query = new Dictionary<string, string?>(StringComparer.Ordinal) { ["repository"] = item.ToString() } };
            var explanation = await channel.CallAsync<PolicyExplanation>(call, ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, explanation);
                return 0;
            }

            var output = parse.InvocationConfiguration.Output;
            var lines = explanation.Applies;
            await output.WriteLineAsync(lines.Count == 0
                ? $"No rule or lock applies to {item}: retention keeps it, and pushes and deletes are not limited."
                : $"{item}: {lines.Count} {(lines.Count == 1 ? "rule or lock applies" : "rules and locks apply")}.");
            foreach (var line in lines)
            {
                await output.WriteLineAsync("  " + line.Explanation);
            }

            if (explanation.Retention is { } retention)
            {
                await WriteRetentionAsync(output, retention, item);
            }

            return 0;
        });
        return command;
    }

    /// <summary>What a dry run of retention on the repository decides now, for the tag or manifest asked about, or in total.</summary>
    private static async Task WriteRetentionAsync(TextWriter output, RetentionPreview preview, LockTarget item)
    {
        if (item.Tag is null && item.Digest is null)
        {
            var tags = preview.Verdicts.Count(v => v.Tag is not null);
            await output.WriteLineAsync($"Retention now (dry run): of {preview.TagsChecked:N0} tags it would delete {tags:N0}, and {preview.Verdicts.Count - tags:N0} untagged manifests.");
            foreach (var verdict in preview.Verdicts)
            {
                await output.WriteLineAsync($"  would delete {Subject(verdict)}: '{verdict.Rule}' {verdict.Reason}");
            }

            return;
        }

        if (preview.Verdicts.Count == 0)
        {
            await output.WriteLineAsync($"Retention now (dry run): no verdict on {item}; it does not exist, or no rule decides on it.");
        }

        foreach (var verdict in preview.Verdicts)
        {
            await output.WriteLineAsync($"Retention now (dry run): {(verdict.Deleted ? "would delete" : "keeps")} {Subject(verdict)}: '{verdict.Rule}' {verdict.Reason}");
        }
    }

    private static string Subject(RetentionVerdictView verdict) =>
        verdict.Tag is { } tag ? $"{verdict.Repository}:{tag} ({verdict.Digest})" : $"{verdict.Repository}@{verdict.Digest}";
}
