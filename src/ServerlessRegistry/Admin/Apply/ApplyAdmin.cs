using ServerlessRegistry.Auth;
using ServerlessRegistry.Events;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Policies;

namespace ServerlessRegistry.Admin.Apply;

/// <summary>
/// POST /api/admin/v1/apply: plans every entry of the document first (each feature checks its entries and compares them
/// with what is stored), so a document with one bad entry changes nothing; then makes the changes in order: policies,
/// locks, cache rules, event endpoints, and tokens last, so a failure before them cannot strand a new token's secret.
/// </summary>
/// <remarks>
/// Idempotent: applying the same document again reports every entry unchanged. Not one transaction: a write that fails
/// part-way stops the apply, and the answer is still the report (200) with what was changed, the secrets created so far,
/// and <see cref="ApplyReport.Failure"/> naming the entry and the reason; applying again completes it. Two applies at
/// once each make their own changes, one write per entry, the last write winning.
/// </remarks>
internal static class ApplyAdmin
{
    public static async Task<AdminResult> Apply(AdminRequest request)
    {
        var document = await request.BodyAsync<ApplyDocument>();
        var dryRun = request.Flag("dryRun");
        List<ApplyStep> steps =
        [
            .. await PolicyAdmin.PlanPoliciesAsync(document.Policies, request),
            .. await PolicyAdmin.PlanLocksAsync(document.Locks, request),
            .. await CacheRuleAdmin.PlanAsync(document.CacheRules, request),
            .. await EventEndpointAdmin.PlanAsync(document.EventEndpoints, request),
            .. await TokenAdmin.PlanAsync(document.Tokens, request),
        ];
        var secrets = new List<CreatedSecret>();
        var changes = new List<ApplyChange>();
        foreach (var step in steps)
        {
            if (!dryRun && step.Run is not null)
            {
                try
                {
                    if (await step.Run(request.Aborted) is { } secret)
                    {
                        secrets.Add(new CreatedSecret(step.Change.Kind, step.Change.Name, secret));
                    }
                }
                catch (Exception e) when (Reason(e) is { } reason)
                {
                    var failure = $"{step.Change.Kind} {step.Change.Name}: {reason}; nothing after it was applied, apply the document again to finish";
                    return AdminResult.Ok(new ApplyReport(dryRun, changes, secrets) { Failure = failure });
                }
            }

            changes.Add(step.Change);
        }

        return AdminResult.Ok(new ApplyReport(dryRun, changes, secrets));
    }

    /// <summary>Why a write failed, for failures the caller can act on by retrying or fixing the entry; anything else is a defect.</summary>
    private static string? Reason(Exception e) => e switch
    {
        Core.Errors.RegistryException r => r.Message,
        Core.Storage.ConcurrencyException => "it changed while being applied",
        Core.Storage.StorageException s => $"storage failed ({s.Status} {s.ErrorCode})",
        ArgumentException a => a.Message,
        HttpRequestException h => h.Message,
        _ => null,
    };
}
