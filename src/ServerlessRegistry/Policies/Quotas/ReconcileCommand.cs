using System.CommandLine;
using ServerlessRegistry.Cli;

namespace ServerlessRegistry.Policies.Quotas;

/// <summary>
/// <c>policy reconcile [--dry-run]</c>: recounts every quota now and prints, per quota, its limit, what its counter
/// said, what its repositories hold, and the drift (positive: counted more than held). Progress goes to stderr.
/// Extra arguments are configuration, as for serve.
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
        command.SetAction((parse, ct) => CliServices.WithAsync(parse, async services =>
        {
            var output = parse.InvocationConfiguration.Output;
            var rules = (await services.GetRequiredService<PolicyStore>().LoadAsync(ct)).Quotas;
            var dry = parse.GetValue(dryRun);
            if (rules.Count == 0)
            {
                await output.WriteLineAsync("No quota rules.");
                return 0;
            }

            var drifts = await services.GetRequiredService<QuotaLedger>().ReconcileAsync(rules, dry, null, ct);
            var width = Math.Max(5, drifts.Max(d => d.Rule.Name.Length));
            await output.WriteLineAsync($"{"QUOTA".PadRight(width)}  {"LIMIT",10}  {"COUNTED",10}  {"ACTUAL",10}  {"DRIFT",10}  REPOSITORIES");
            foreach (var d in drifts.OrderBy(d => d.Rule.Name, StringComparer.Ordinal))
            {
                await output.WriteLineAsync(
                    $"{d.Rule.Name.PadRight(width)}  {QuotaText.Size(d.Rule.LimitBytes),10}  {QuotaText.Size(d.CountedBytes),10}  {QuotaText.Size(d.ActualBytes),10}  {QuotaReconcileStep.Signed(d.Drift),10}  {d.Rule.Repositories}");
            }

            await output.WriteLineAsync(dry ? "Dry run: no counter was changed." : "Counters set to what the repositories hold.");
            return 0;
        }));
        return command;
    }
}
