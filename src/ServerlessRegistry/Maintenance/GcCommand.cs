using System.CommandLine;
using System.Globalization;
using ServerlessRegistry.Admin.Cli;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>
/// <c>gc [--dry-run] [--delete-untagged] [--grace-period 2h]</c>: one online garbage-collection run, through the admin
/// API with --registry or against the configured storage. The summary goes to stdout; progress (against storage only)
/// and the short-grace warning to stderr. Extra arguments are configuration, as for serve (e.g. --Maintenance:UploadMaxAge=14.00:00:00).
/// </summary>
internal static class GcCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be deleted; delete nothing." };
        var deleteUntagged = new Option<bool>("--delete-untagged") { Description = "Also delete manifests no tag reaches (after the grace period)." };
        var gracePeriod = new Option<string>("--grace-period")
        {
            Description = $"Keep unreferenced content touched more recently than this (24h, 2d, 0s; default Maintenance:GracePeriod, 1 day). " +
                $"At least {MaintenanceOptions.MinimumGracePeriod.TotalHours:0}h, because a push in progress may not have linked its blobs yet; " +
                "shorter only against a local emulator.",
        };
        var command = new Command("gc", "Collect garbage: unreferenced blobs, untagged manifests on request, expired uploads.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(dryRun);
        command.Options.Add(deleteUntagged);
        command.Options.Add(gracePeriod);
        command.SetAction(async (parse, ct) =>
        {
            var (output, error) = (parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error);
            // Checked here too, so a malformed value is a command-line mistake (exit 2) before any storage or network call.
            if (parse.GetValue(gracePeriod) is { } text && !Durations.TryParse(text, out _))
            {
                await error.WriteLineAsync($"gc: --grace-period '{text}' is not a duration; give 24h, 2d, 90m or 0s.");
                return 2;
            }

            return await AdminCli.RunAsync(parse, async channel =>
            {
                var body = new GcRequest(parse.GetValue(dryRun), parse.GetValue(deleteUntagged), parse.GetValue(gracePeriod));
                if (channel is LocalAdminChannel)
                {
                    MaintenanceAdmin.LocalProgress.Value = new ConsoleProgress(error);
                }

                var report = await channel.CallAsync<GcReportView>(new AdminCall("collectGarbage") { Body = body }, ct);
                if (report.Warning is { } warning)
                {
                    await error.WriteLineAsync("gc: warning: " + warning);
                }

                if (AdminCli.Json(parse))
                {
                    await AdminCli.WriteJsonAsync(parse, report);
                    return 0;
                }

                await WriteReportAsync(output, report);
                return 0;
            });
        });
        return command;
    }

    private static async Task WriteReportAsync(TextWriter output, GcReportView report)
    {
        await output.WriteLineAsync(report.DryRun ? "Dry run: nothing was deleted." : "Garbage collection finished.");
        foreach (var step in report.Steps)
        {
            await output.WriteLineAsync("  " + step);
        }

        await output.WriteLineAsync($"  blobs scanned     {report.BlobsScanned,14:N0}");
        await output.WriteLineAsync($"  blobs {(report.DryRun ? "to delete" : "deleted  ")}   {report.BlobsDeleted,14:N0}");
        await output.WriteLineAsync($"  bytes reclaimed   {report.BytesReclaimed,14:N0}  ({UsageCommand.Human(report.BytesReclaimed)})");
        await output.WriteLineAsync($"  blobs waiting     {report.BlobsWaiting,14:N0}  ({UsageCommand.Human(report.BytesWaiting)} unreferenced, within the grace period)");
        await output.WriteLineAsync($"  sessions expired  {report.SessionsExpired,14:N0}");
        await output.WriteLineAsync($"  manifests deleted {report.ManifestsDeleted,14:N0}");
        await output.WriteLineAsync($"  links deleted     {report.LinksDeleted,14:N0}");
        await output.WriteLineAsync($"  kept on conflict  {report.Conflicts,14:N0}");
        await output.WriteLineAsync($"  elapsed           {report.ElapsedSeconds,14:0.0} s");
        if (report.CollectableFrom is { } from)
        {
            await output.WriteLineAsync(
                $"{report.BlobsWaiting:N0} unreferenced blobs ({UsageCommand.Human(report.BytesWaiting)}) are kept for the grace period; " +
                $"a run after {from.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)} can delete the first of them.");
        }
    }

    /// <summary>Plain progress lines on stderr, at most one per phase step, so long runs show they are alive.</summary>
    private sealed class ConsoleProgress(TextWriter error) : IProgress<GcProgress>
    {
        private readonly Lock _gate = new();
        private string? _phase;
        private DateTimeOffset _last;

        public void Report(GcProgress value)
        {
            lock (_gate)
            {
                var now = DateTimeOffset.UtcNow;
                if (value.Phase == _phase && now - _last < TimeSpan.FromSeconds(1))
                {
                    return;
                }

                _phase = value.Phase;
                _last = now;
                error.WriteLine($"gc: {value.Phase,-28} {value.Done,12:N0}");
            }
        }
    }
}
