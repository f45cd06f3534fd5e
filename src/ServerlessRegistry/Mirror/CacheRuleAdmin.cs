using Microsoft.Extensions.Options;
using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// The admin API's handlers for cache rules (<see cref="AdminRoutes"/>). Settings rules (Mirror:Rules:N) are listed as
/// settings-N and are read-only here; stored rules are written to the mirror's table and are in effect on every instance
/// within Mirror:RuleRefreshInterval (at once on the instance that wrote them).
/// </summary>
internal static class CacheRuleAdmin
{
    private const string Kind = "cacheRule";

    /// <summary>Every rule, settings and stored, by name; with check=true each rule on the page is checked against its upstream, side by side.</summary>
    public static async Task<AdminResult> ListCacheRules(AdminRequest request)
    {
        var check = request.Flag("check");
        var paging = request.Paging();
        var views = CacheRuleChecks.Views(Settings(request), await request.Service<CacheRuleSet>().ReadAsync(request.Aborted));
        var page = paging.Of(views, v => v.View.Name);
        if (!check)
        {
            return AdminResult.Ok(new Page<CacheRuleView>([.. page.Items.Select(v => v.View)], page.Next));
        }

        var upstream = request.Service<IUpstreamRegistry>();
        // Side by side: each waits at most its rule's Timeout, and an unreachable upstream should not delay the rest.
        var checks = await Task.WhenAll(page.Items.Select(v => CheckAsync(upstream, v.View, v.Rule, request.Aborted)));
        return AdminResult.Ok(new Page<CacheRuleView>([.. page.Items.Select((v, i) => v.View with { Check = checks[i] })], page.Next));
    }

    /// <summary>One rule by name (settings-N or a stored rule's name); NOT_FOUND when there is none.</summary>
    public static async Task<AdminResult> GetCacheRule(AdminRequest request)
    {
        var name = request.Route("name");
        var views = CacheRuleChecks.Views(Settings(request), await request.Service<CacheRuleSet>().ReadAsync(request.Aborted));
        return views.FirstOrDefault(v => v.View.Name == name) is { View: { } view }
            ? AdminResult.Ok(view)
            : Fail.With<AdminResult>(ErrorKind.NotFound, $"there is no cache rule '{name}'");
    }

    /// <summary>
    /// Creates (201) or replaces (200) a stored rule. Idempotent: the same body again answers 200 and changes nothing.
    /// Two writers of one name at once: the last write wins. Refuses a settings rule's name or local name (CONFLICT).
    /// </summary>
    public static async Task<AdminResult> PutCacheRule(AdminRequest request)
    {
        var name = request.Route("name");
        var spec = await request.BodyAsync<CacheRuleSpec>();
        var set = request.Service<CacheRuleSet>();
        var snapshot = await set.ReadAsync(request.Aborted);
        var rule = CacheRuleChecks.Check(name, spec, Settings(request), Parsed(snapshot), "");
        var created = await request.Service<CacheRuleStore>().PutAsync(rule, request.Aborted);
        set.Invalidate();
        var view = CacheRuleChecks.View(name, CacheRuleSource.Stored, rule.Parse(request.Service<IConfiguration>()), rule.PasswordSetting);
        return created ? AdminResult.Created(view) : AdminResult.Ok(view);
    }

    /// <summary>Removes a stored rule (204); NOT_FOUND when there is none, CONFLICT for a settings rule. What it cached stays until evicted.</summary>
    public static async Task<AdminResult> DeleteCacheRule(AdminRequest request)
    {
        var name = request.Route("name");
        if (CacheRuleChecks.SettingsIndex(name, Settings(request).Count) is { } index)
        {
            Fail.With(ErrorKind.Conflict, $"'{name}' is the settings rule Mirror:Rules:{index}; remove it from settings");
        }

        if (!await request.Service<CacheRuleStore>().DeleteAsync(name, request.Aborted))
        {
            Fail.With(ErrorKind.NotFound, $"there is no stored cache rule '{name}'");
        }

        request.Service<CacheRuleSet>().Invalidate();
        return AdminResult.NoContent;
    }

    /// <summary>
    /// Apply's plan: every entry checked first (a bad one refuses the whole document), then each compared with what is
    /// stored. A run is one upsert; a second apply of the same document finds every entry unchanged.
    /// </summary>
    public static async Task<IReadOnlyList<ApplyStep>> PlanAsync(IReadOnlyDictionary<string, CacheRuleSpec> specs, AdminRequest request)
    {
        if (specs.Count == 0)
        {
            return [];
        }

        var set = request.Service<CacheRuleSet>();
        var store = request.Service<CacheRuleStore>();
        var snapshot = await set.ReadAsync(request.Aborted);
        // Entries the document names are checked against each other, not against their stored versions they replace.
        var others = Parsed(snapshot).Where(o => !specs.ContainsKey(o.Name)).ToList();
        var planned = new List<StoredCacheRule>();
        foreach (var (name, spec) in specs)
        {
            var rule = CacheRuleChecks.Check(name, spec, Settings(request), others, $"cacheRules.{name}: ");
            others.Add((name, rule.Parse(null)));
            planned.Add(rule);
        }

        var stored = snapshot.Stored.ToDictionary(e => e.Rule.Name, e => e.Rule, StringComparer.Ordinal);
        return [.. planned.Select(rule =>
        {
            var existing = stored.GetValueOrDefault(rule.Name);
            if (existing == rule)
            {
                return ApplyStep.Unchanged(Kind, rule.Name);
            }

            var change = new ApplyChange(Kind, rule.Name, existing is null ? ApplyAction.Create : ApplyAction.Update,
                existing is null ? rule.Local + " -> " + rule.Upstream : CacheRuleChecks.Differences(existing, rule));
            return new ApplyStep(change, async ct =>
            {
                await store.PutAsync(rule, ct);
                set.Invalidate();
                return null;
            });
        })];
    }

    private static IReadOnlyList<CacheRuleSettings> Settings(AdminRequest request) => request.Service<IOptions<MirrorOptions>>().Value.Rules;

    private static IEnumerable<(string Name, CacheRule Rule)> Parsed(CacheRuleSnapshot snapshot) =>
        snapshot.Stored.Where(e => e.Parsed is not null).Select(e => (e.Rule.Name, e.Parsed!));

    private static async Task<CacheRuleCheckView> CheckAsync(IUpstreamRegistry upstream, CacheRuleView view, CacheRule? rule, CancellationToken ct)
    {
        if (rule is null)
        {
            return new CacheRuleCheckView(false, false, false, "not in effect: the stored rule does not parse");
        }

        if (rule.Username is not null && rule.Password is null && view.PasswordSetting is { } key && !SecretSettings.IsIn(SecretSettings.MirrorSection, key))
        {
            return new CacheRuleCheckView(false, false, false, SecretSettings.NotRead(SecretSettings.MirrorSection, key));
        }

        if (rule.Username is not null && rule.Password is null)
        {
            return new CacheRuleCheckView(false, false, false, $"the setting '{view.PasswordSetting}' that should hold the password has no value here");
        }

        var check = await upstream.CheckAsync(rule, ct);
        return new CacheRuleCheckView(check.Reachable && check.Authenticated, check.Reachable, check.Authenticated, check.Detail);
    }
}
