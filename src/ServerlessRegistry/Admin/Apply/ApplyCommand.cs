using System.CommandLine;
using System.Text.Json;
using ServerlessRegistry.Admin.Cli;

namespace ServerlessRegistry.Admin.Apply;

/// <summary>
/// <c>apply --file setup.json [--dry-run]</c>: brings the registry to what the file describes (<see cref="ApplyDocument"/>),
/// through the admin API with --registry or against storage without it, and prints each change and a summary.
/// </summary>
internal static class ApplyCommand
{
    public static Command Create()
    {
        var file = new Option<FileInfo>("--file", "-f") { Description = "The document: tokens, policies, locks, cacheRules and eventEndpoints, keyed by name (JSON; see docs/openapi/admin-v1.json, ApplyDocument).", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would change; change nothing." };
        var command = new Command("apply", "Create or update tokens, policies, locks, cache rules and webhooks to match a file; a second run changes nothing. Nothing is deleted.") { file, dryRun };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetRequiredValue(file);
            byte[] body;
            try
            {
                body = await File.ReadAllBytesAsync(path.FullName, ct);
                // Checked here, so a malformed file is named as the file rather than as a request body.
                using var _ = JsonDocument.Parse(body, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"apply: cannot read {path}: {e.Message}");
                return 2;
            }

            return await AdminCli.RunAsync(parse, async channel =>
            {
                var call = new AdminCall("apply") { Body = body, Query = new Dictionary<string, string?> { ["dryRun"] = parse.GetValue(dryRun) ? "true" : null } };
                var report = await channel.CallAsync<ApplyReport>(call, ct);
                if (AdminCli.Json(parse))
                {
                    await AdminCli.WriteJsonAsync(parse, report);
                    return report.Failure is null ? 0 : 1;
                }

                await WriteAsync(parse.InvocationConfiguration.Output, report, channel.Describe);
                if (report.Failure is { } failure)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync("apply: " + failure);
                    return 1;
                }

                return 0;
            });
        });
        return command;
    }

    private static async Task WriteAsync(TextWriter output, ApplyReport report, string where)
    {
        foreach (var change in report.Changes.Where(c => c.Action != ApplyAction.Unchanged))
        {
            var verb = change.Action == ApplyAction.Create ? "create" : "update";
            await output.WriteLineAsync($"{(report.DryRun ? "would " : "")}{verb} {change.Kind} {change.Name}{(change.Detail is { } d ? ": " + d : "")}");
        }

        foreach (var secret in report.Secrets)
        {
            await output.WriteLineAsync($"{secret.Kind} {secret.Name} secret (shown only now): {secret.Secret}");
        }

        var summary = $"{report.Count(ApplyAction.Create)} created, {report.Count(ApplyAction.Update)} updated, {report.Count(ApplyAction.Unchanged)} unchanged";
        await output.WriteLineAsync(report.DryRun ? $"Dry run against {where}: {summary}; nothing was changed." : $"Applied to {where}: {summary}.");
    }
}
