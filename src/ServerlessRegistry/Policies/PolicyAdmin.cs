using ServerlessRegistry.Admin;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Policies.Quotas;

namespace ServerlessRegistry.Policies;

/// <summary>
/// The admin API's handlers for policies (<see cref="AdminRoutes"/>): rules here, locks, explain, runs and apply in the
/// other parts. Each change is one write in <see cref="PolicyStore"/>, in effect on this instance at once and on every
/// instance within <see cref="PolicyCache.MaxStaleness"/>, as the command line's changes are.
/// </summary>
/// <remarks>
/// Every write is idempotent: putting the same rule or lock again leaves the same state, deleting what is gone answers
/// 404 and changes nothing. Two operators writing the same rule at once: the last write wins. A stored rule or lock that
/// no longer parses fails the reads that need it (500, the message naming it and how to remove it), as on the command line.
/// </remarks>
internal static partial class PolicyAdmin
{
    /// <summary>GET /policies: every rule, in name order, quotas with their counters.</summary>
    public static async Task<AdminResult> ListPolicies(AdminRequest request)
    {
        var set = await LoadAsync(request);
        var ledger = request.Service<QuotaLedger>();
        var uses = await Task.WhenAll(set.Quotas.Select(q => ledger.ReadAsync(q, request.Aborted)));
        var views = set.Retention.Select(r => PolicySpecs.View(r)).Concat(set.Immutable.Select(r => PolicySpecs.View(r))).Concat(uses.Select(u => PolicySpecs.View(u.Rule, u)));
        return AdminResult.Ok(request.Paging().Of(views, v => v.Name));
    }

    /// <summary>GET /policies/{name}: one rule; 404 when there is none of a kind this version knows.</summary>
    public static async Task<AdminResult> GetPolicy(AdminRequest request)
    {
        var name = request.Route("name");
        var rule = await Readable(() => request.Service<PolicyStore>().GetAsync(name, request.Aborted)) ?? NoRule(name);
        return AdminResult.Ok(await ViewAsync(request, rule));
    }

    /// <summary>
    /// PUT /policies/{name}: creates (201) or replaces (200) the rule. A name held by a rule of another kind is 409. A quota's
    /// counter is recounted from what its repositories hold, as <c>policy quota set</c> does, so it starts from the truth.
    /// </summary>
    public static async Task<AdminResult> PutPolicy(AdminRequest request)
    {
        var name = request.Route("name");
        var spec = await request.BodyAsync<PolicySpec>();
        var (rule, problem) = PolicySpecs.ToRule(name, spec);
        if (rule is null)
        {
            return Fail.With<AdminResult>(ErrorKind.Invalid, problem!, ("name", name));
        }

        var created = await PutAsync(request, rule, recount: true);
        var view = await ViewAsync(request, rule);
        return created ? AdminResult.Created(view) : AdminResult.Ok(view);
    }

    /// <summary>
    /// DELETE /policies/{name}: removes the rule whatever its kind, even one this version cannot read (a quota's counter
    /// goes with it), and answers what it removed, so the command line can say which kind it was. 404 when there is none.
    /// </summary>
    public static async Task<AdminResult> DeletePolicy(AdminRequest request)
    {
        var name = request.Route("name");
        if (await request.Service<PolicyStore>().RemoveAsync(name, request.Aborted) is not { } kind)
        {
            return (AdminResult)NoRule(name);
        }

        request.Service<PolicyCache>().Invalidate();
        if (kind == PolicyRuleRow.Quota)
        {
            await request.Service<QuotaLedger>().ForgetAsync(name, request.Aborted);
        }

        return AdminResult.Ok(new RemovedPolicy(name, kind));
    }

    /// <summary>Stores a checked rule (true: created); a name held by another kind is CONFLICT. Recounts a quota when asked.</summary>
    private static async Task<bool> PutAsync(AdminRequest request, object rule, bool recount)
    {
        bool created;
        try
        {
            created = await request.Service<PolicyStore>().PutAsync(rule, request.Aborted);
        }
        catch (ArgumentException e)
        {
            // The rule was checked already: what the store refuses now is the name, held by a rule of another kind.
            return Fail.With<bool>(ErrorKind.Conflict, e.Message, ("name", PolicyRuleRow.NameOf(rule)));
        }

        request.Service<PolicyCache>().Invalidate();
        if (recount && rule is QuotaRule quota)
        {
            await request.Service<QuotaLedger>().ReconcileAsync([quota], dryRun: false, progress: null, request.Aborted);
        }

        return created;
    }

    private static async Task<PolicyView> ViewAsync(AdminRequest request, object rule) =>
        rule is QuotaRule quota ? PolicySpecs.View(quota, await request.Service<QuotaLedger>().ReadAsync(quota, request.Aborted)) : PolicySpecs.View(rule);

    private static object NoRule(string name) => Fail.With<object>(ErrorKind.NotFound, $"there is no rule named '{name}'; 'policy list' shows them.", ("name", name));

    /// <summary>Every rule and lock, read from storage (not the cache), so what was just written is what is answered.</summary>
    private static Task<PolicySet> LoadAsync(AdminRequest request) => Readable(() => request.Service<PolicyStore>().LoadAsync(request.Aborted));

    /// <summary>
    /// A read of stored rules; a row that no longer parses is reported with its name and the command that removes it
    /// (not the caller's fault, and not one a retry cures).
    /// </summary>
    private static async Task<T> Readable<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (FormatException e)
        {
            return Fail.With<T>(ErrorKind.Internal, e.Message.Split('\n')[0].Trim());
        }
    }
}
