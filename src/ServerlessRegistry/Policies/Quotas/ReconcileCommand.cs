using System.CommandLine;
using ServerlessRegistry.Admin.Cli;

namespace ServerlessRegistry.Policies.Quotas;

/// <summary>
/// <c>policy reconcile [--dry-run]</c>: recounts every quota now and prints, per quota, its limit, what its counter
/// said, what its repositories hold, and the drift (positive: counted more than held). Against storage (extra arguments
/// are its configuration, as for serve) or, with --registry, through the registry's admin API.
/// </summary>
internal static class ReconcileCommand
{
    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run") { Description = "Report the drift; correct nothing." };
        var command = new Command("reconcile",
            """
            Recount every quota from what the repositories hold, and report the drift. Columns:
              LIMIT    the quota's limit
              COUNTED  what its counter said (pushes add to it; deletes are subtracted only here and by the daily job)
              ACTUAL   distinct digests its repositories hold, each counted once, plus pushes in flight
              DRIFT    COUNTED - ACTUAL: positive is an overcount, which refuses pushes early
            """)
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.Options.Add(dryRun);
        command.SetAction((parse, ct) => AdminCli.RunAsync(parse, async channel =>
        {
            var output = parse.InvocationConfiguration.Output;
            var dry = parse.GetValue(dryRun);
            var report = await channel.CallAsync<QuotaReconcileView>(new AdminCall("reconcileQuotas") { Body = new QuotaReconcileRequest(dry) }, ct);
            if (AdminCli.Json(parse))
            {
                await AdminCli.WriteJsonAsync(parse, report);
                return 0;
            }

            if (report.Quotas.Count == 0)
            {
                await output.WriteLineAsync("No quota rules.");
                return 0;
            }

            var width = Math.Max(5, report.Quotas.Max(d => d.Name.Length));
            await output.WriteLineAsync($"{"QUOTA".PadRight(width)}  {"LIMIT",10}  {"COUNTED",10}  {"ACTUAL",10}  {"DRIFT",10}  REPOSITORIES");
            foreach (var d in report.Quotas.OrderBy(d => d.Name, StringComparer.Ordinal))
            {
                await output.WriteLineAsync(
                    $"{d.Name.PadRight(width)}  {QuotaText.Size(d.LimitBytes),10}  {QuotaText.Size(d.CountedBytes),10}  {QuotaText.Size(d.ActualBytes),10}  {QuotaReconcileStep.Signed(d.DriftBytes),10}  {d.Repositories}");
            }

            await output.WriteLineAsync(dry ? "Dry run: no counter was changed." : "Counters set to what the repositories hold.");
            return 0;
        }));
        return command;
    }
}
