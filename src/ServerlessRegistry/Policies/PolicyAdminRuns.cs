using Microsoft.Extensions.Options;
using ServerlessRegistry.Admin;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Policies.Quotas;
using ServerlessRegistry.Policies.Retention;

namespace ServerlessRegistry.Policies;

/// <summary>The admin API's explain, retention run and quota reconciliation: the work behind <c>policy explain|run|reconcile</c>.</summary>
internal static partial class PolicyAdmin
{
    /// <summary>
    /// GET /policy-explanation?repository=: every rule and lock that applies to a repository, tag or manifest, each in a
    /// sentence, and what retention would do now (a dry run; changes nothing).
    /// </summary>
    public static async Task<AdminResult> ExplainPolicies(AdminRequest request)
    {
        var item = Target(request, "repository");
        var set = await LoadAsync(request);
        var applies = new List<PolicyApplication>();
        var retention = set.RetentionFor(item.Repository).ToList();
        foreach (var rule in retention)
        {
            applies.Add(new("retention", rule.Name, item.Tag is not { } tag || rule.Tags.Any(p => Pattern.Matches(p, tag))
                ? $"retention '{rule.Name}' ({rule.Repositories}): {PolicyCommands.Summary(rule)}."
                : $"retention '{rule.Name}' ({rule.Repositories}): does not decide on tag {tag} (its tags: {(rule.Tags.Count == 0 ? "none" : string.Join(", ", rule.Tags))}), so the tag is kept by it."));
        }

        foreach (var rule in set.ImmutableFor(item.Repository))
        {
            applies.Add(new("immutable", rule.Name, item.Tag is not { } tag ? $"immutable '{rule.Name}' ({rule.Repositories}): {PolicyCommands.Summary(rule)}."
                : Pattern.Matches(rule.Tags, tag) ? $"immutable '{rule.Name}' ({rule.Repositories}): tag {tag} matches {rule.Tags}, so it cannot be moved or deleted."
                : $"immutable '{rule.Name}' ({rule.Repositories}): tag {tag} does not match {rule.Tags}, so it may be moved or deleted."));
        }

        foreach (var rule in set.QuotasFor(item.Repository))
        {
            var use = await request.Service<QuotaLedger>().ReadAsync(rule, request.Aborted);
            applies.Add(new("quota", rule.Name, $"quota '{rule.Name}' ({rule.Repositories}, counted together): {PolicyCommands.Summary(rule)}; {PolicyCommands.UsageCommandLine(use.UsedBytes, rule.LimitBytes)}."));
        }

        foreach (var itemLock in set.LocksIn(item.Repository).Where(l => Applies(l.Target, item)))
        {
            applies.Add(new("lock", itemLock.Target.ToString(), $"lock on {itemLock.Target}: blocks {PolicyCommands.Blocks(itemLock).Replace(", ", " and ", StringComparison.Ordinal)}" +
                (itemLock.Target.Digest is not null && item.Digest is null ? " (of that manifest, and of the tags pointing at it)." : ".")));
        }

        RetentionPreview? preview = null;
        if (retention.Count > 0)
        {
            var grace = request.Service<IOptions<MaintenanceOptions>>().Value.GracePeriod;
            var report = await request.Service<RetentionRunner>().RunAsync(set, dryRun: true, grace, item.Repository, withKept: true, progress: null, request.Aborted);
            var verdicts = item.Tag is null && item.Digest is null
                ? report.Deleted
                : report.Deleted.Concat(report.Kept).Where(v => item.Tag is { } tag ? v.Tag == tag : v.Tag is null && v.Digest == item.Digest);
            preview = new RetentionPreview(report.TagsChecked, [.. verdicts.Select(View)]);
        }

        return AdminResult.Ok(new PolicyExplanation(item.ToString(), applies, preview));
    }

    /// <summary>
    /// POST /retention/run: applies the retention rules now (or reports what they would delete), with the grace period of
    /// Maintenance:GracePeriod as for gc. Idempotent: a second run right after deletes nothing. Runs under the rules as
    /// stored now, not as cached.
    /// </summary>
    public static async Task<AdminResult> RunRetention(AdminRequest request)
    {
        var body = await request.BodyAsync<RetentionRunRequest>();
        if (body.Repository is { } only && !Names.IsValidRepository(only))
        {
            return Fail.With<AdminResult>(ErrorKind.Invalid, $"repository: '{only}' is not a repository name.", ("repository", only));
        }

        TimeSpan grace;
        try
        {
            var local = LocalEmulator.IsLocal(request.Service<IConfiguration>()["Storage:BlobEndpoint"]);
            grace = request.Service<IOptions<MaintenanceOptions>>().Value.With(allowShortGracePeriod: local).Validate().GracePeriod;
        }
        catch (ArgumentException e)
        {
            // The registry's settings, not the request, are wrong: say which, as the command line does.
            return Fail.With<AdminResult>(ErrorKind.Internal, e.Message.Split('\n')[0].Trim());
        }

        var set = await LoadAsync(request);
        var report = await request.Service<RetentionRunner>().RunAsync(set, body.DryRun, grace, body.Repository, withKept: false, progress: null, request.Aborted);
        return AdminResult.Ok(new RetentionRunView(report.DryRun, report.RepositoriesChecked, report.TagsChecked, report.TagsDeleted, report.ManifestsDeleted,
            report.Conflicts, Math.Round(report.Elapsed.TotalSeconds, 3), [.. report.Deleted.Select(View)], report.Summary()));
    }

    /// <summary>
    /// POST /quotas/reconcile: recounts every quota from what its repositories hold and sets its counter (not with
    /// dryRun), answering the drift per quota in name order. Idempotent; concurrent pushes are not lost (see
    /// <see cref="QuotaLedger.ReconcileAsync"/>).
    /// </summary>
    public static async Task<AdminResult> ReconcileQuotas(AdminRequest request)
    {
        var body = await request.BodyAsync<QuotaReconcileRequest>();
        var rules = (await LoadAsync(request)).Quotas;
        var drifts = await request.Service<QuotaLedger>().ReconcileAsync(rules, body.DryRun, progress: null, request.Aborted);
        return AdminResult.Ok(new QuotaReconcileView(body.DryRun, [.. drifts.OrderBy(d => d.Rule.Name, StringComparer.Ordinal)
            .Select(d => new QuotaDriftView(d.Rule.Name, d.Rule.Repositories, d.Rule.LimitBytes, d.CountedBytes, d.ActualBytes, d.Drift))]));
    }

    /// <summary>A lock applies to a repository's every item, a tag's lock to that tag, a manifest's lock to it and its tags.</summary>
    private static bool Applies(LockTarget lockTarget, LockTarget item) =>
        lockTarget.Tag is null && lockTarget.Digest is null
        || item.Tag is null && item.Digest is null
        || lockTarget.Tag is { } tag && tag == item.Tag
        || lockTarget.Digest is { } digest && (digest == item.Digest || item.Tag is not null);

    private static RetentionVerdictView View(RetentionVerdict v) => new(v.Repository, v.Digest, v.Deleted, v.Rule, v.Reason, v.Tag);
}
