using System.CommandLine;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>
/// <c>gc [--dry-run] [--delete-untagged]</c>: one online garbage-collection run against the configured storage
/// (Azurite or an account through DefaultAzureCredential). Progress goes to stderr, the summary to stdout.
/// Extra arguments are configuration, as for serve (e.g. --Maintenance:GracePeriod=2.00:00:00).
/// </summary>
internal static class GcCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be deleted; delete nothing." };
        var deleteUntagged = new Option<bool>("--delete-untagged") { Description = "Also delete manifests no tag reaches (after the grace period)." };
        var command = new Command("gc", "Collect garbage: unreferenced blobs, untagged manifests on request, expired uploads.")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(dryRun);
        command.Options.Add(deleteUntagged);
        command.SetAction((parse, ct) => CliServices.WithAsync(parse, async services =>
        {
            var configured = services.GetRequiredService<IOptions<MaintenanceOptions>>().Value;
            var settings = configured.With(
                dryRun: parse.GetValue(dryRun) ? true : null,
                deleteUntagged: parse.GetValue(deleteUntagged) ? true : null);
            var progress = new ConsoleProgress();
            var report = await services.GetRequiredService<MaintenanceJobs>().RunGarbageCollectionAsync(settings, progress, ct);
            Console.Out.WriteLine(report.DryRun ? "Dry run: nothing was deleted." : "Garbage collection finished.");
            Console.Out.WriteLine($"  blobs scanned     {report.BlobsScanned,14:N0}");
            Console.Out.WriteLine($"  blobs {(report.DryRun ? "to delete" : "deleted  ")}   {report.BlobsDeleted,14:N0}");
            Console.Out.WriteLine($"  bytes reclaimed   {report.BytesReclaimed,14:N0}  ({UsageCommand.Human(report.BytesReclaimed)})");
            Console.Out.WriteLine($"  sessions expired  {report.SessionsExpired,14:N0}");
            Console.Out.WriteLine($"  manifests deleted {report.ManifestsDeleted,14:N0}");
            Console.Out.WriteLine($"  links deleted     {report.LinksDeleted,14:N0}");
            Console.Out.WriteLine($"  kept on conflict  {report.Conflicts,14:N0}");
            Console.Out.WriteLine($"  elapsed           {report.Elapsed.TotalSeconds,14:0.0} s");
            return 0;
        }));
        return command;
    }

    /// <summary>Plain progress lines on stderr, at most one per phase step, so long runs show they are alive.</summary>
    private sealed class ConsoleProgress : IProgress<GcProgress>
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
                Console.Error.WriteLine($"gc: {value.Phase,-14} {value.Done,12:N0}");
            }
        }
    }
}
