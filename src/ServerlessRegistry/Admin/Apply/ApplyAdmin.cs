using ServerlessRegistry.Auth;
using ServerlessRegistry.Events;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Policies;

namespace ServerlessRegistry.Admin.Apply;

/// <summary>
/// POST /api/admin/v1/apply: plans every entry of the document first (each feature checks its entries and compares them
/// with what is stored), so a document with one bad entry changes nothing; then makes the changes in order: tokens,
/// policies, locks, cache rules, event endpoints.
/// </summary>
/// <remarks>
/// Idempotent: applying the same document again reports every entry unchanged. Not one transaction: an apply cut short
/// leaves the entries before the cut changed and the rest as they were; applying again completes it. Two applies at
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
            .. await TokenAdmin.PlanAsync(document.Tokens, request),
            .. await PolicyAdmin.PlanPoliciesAsync(document.Policies, request),
            .. await PolicyAdmin.PlanLocksAsync(document.Locks, request),
            .. await CacheRuleAdmin.PlanAsync(document.CacheRules, request),
            .. await EventEndpointAdmin.PlanAsync(document.EventEndpoints, request),
        ];
        var secrets = new List<CreatedSecret>();
        if (!dryRun)
        {
            foreach (var step in steps)
            {
                if (step.Run is not null && await step.Run(request.Aborted) is { } secret)
                {
                    secrets.Add(new CreatedSecret(step.Change.Kind, step.Change.Name, secret));
                }
            }
        }

        return AdminResult.Ok(new ApplyReport(dryRun, [.. steps.Select(s => s.Change)], secrets));
    }
}
