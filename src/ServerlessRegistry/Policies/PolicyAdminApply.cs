using System.Text.Json.Nodes;
using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Policies;

/// <summary>
/// Apply's planners for rules and locks: every entry is checked before anything is written (a bad entry is INVALID naming
/// it, and nothing changes), then compared with what is stored in normalized form (a rule as its row stores it, a lock by
/// what it blocks), so applying the same document again plans nothing. Apply never removes a rule or lock the document
/// leaves out.
/// </summary>
internal static partial class PolicyAdmin
{
    private const string PolicyKindName = "policy";
    private const string LockKindName = "lock";

    /// <summary>
    /// One step per rule: unchanged when the stored rule equals it, else a create or replace (one conditional write). A
    /// quota is recounted when created or when its repositories change; a new limit alone keeps the counter.
    /// </summary>
    public static async Task<IReadOnlyList<ApplyStep>> PlanPoliciesAsync(IReadOnlyDictionary<string, PolicySpec> specs, AdminRequest request)
    {
        var rules = new List<(string Name, object Rule)>();
        foreach (var (name, spec) in specs)
        {
            var (rule, problem) = PolicySpecs.ToRule(name, spec);
            rules.Add((name, rule ?? Fail.With<object>(ErrorKind.Invalid, $"policies.{name}: {problem}", ("name", name))));
        }

        var store = request.Service<PolicyStore>();
        var steps = new List<ApplyStep>();
        foreach (var (name, rule) in rules)
        {
            object? stored;
            try
            {
                stored = await store.GetAsync(name, request.Aborted);
            }
            catch (FormatException)
            {
                // An unreadable row of this name is replaced by the document's rule (when the kinds agree; the write checks).
                steps.Add(Step(PolicyKindName, name, ApplyAction.Update, "replaces a rule that could not be read", request, rule, recount: true));
                continue;
            }

            if (stored is not null && PolicyRuleRow.KindOf(stored) != PolicyRuleRow.KindOf(rule))
            {
                Fail.With(ErrorKind.Conflict, $"policies.{name}: the name '{name}' belongs to {(stored is ImmutableRule ? "an" : "a")} {PolicyRuleRow.KindOf(stored)} rule; remove it first or pick another name.", ("name", name));
            }

            var (before, after) = (stored is null ? null : PolicySpecs.Stored(stored), PolicySpecs.Stored(rule));
            steps.Add(stored is null ? Step(PolicyKindName, name, ApplyAction.Create, null, request, rule, recount: true)
                : before == after ? ApplyStep.Unchanged(PolicyKindName, name)
                : Step(PolicyKindName, name, ApplyAction.Update, Differences(before!, after), request, rule,
                    recount: rule is QuotaRule quota && ((QuotaRule)stored).Repositories != quota.Repositories));
        }

        return steps;
    }

    /// <summary>One step per lock, keyed by target: unchanged when a lock there blocks the same; its time is not compared.</summary>
    public static async Task<IReadOnlyList<ApplyStep>> PlanLocksAsync(IReadOnlyDictionary<string, LockSpec> specs, AdminRequest request)
    {
        var locks = new List<ItemLock>();
        foreach (var (key, spec) in specs)
        {
            LockTarget target;
            try
            {
                target = LockTarget.Parse(key);
            }
            catch (FormatException e)
            {
                return Fail.With<IReadOnlyList<ApplyStep>>(ErrorKind.Invalid, $"locks.{key}: {e.Message}", ("target", key));
            }

            locks.Add(ToLock(target, spec, request) ?? Fail.With<ItemLock>(ErrorKind.Invalid, $"locks.{key}: {LockProblem(target)}", ("target", key)));
            // Checked here as the store checks it on write, so a document with one target too long changes nothing.
            if (PolicyLayout.LockKey(target).Length > PolicyStore.MaxKeyLength)
            {
                Fail.With(ErrorKind.Invalid, $"locks.{key}: a lock target is at most {PolicyStore.MaxKeyLength / 2} characters", ("target", key));
            }
        }

        if (locks.Count == 0)
        {
            return [];
        }

        var stored = (await LoadAsync(request)).Locks.ToDictionary(l => l.Target.ToString(), StringComparer.Ordinal);
        return [.. locks.Select(l =>
        {
            var name = l.Target.ToString();
            var run = (Func<CancellationToken, Task<string?>>)(async _ =>
            {
                await SetLockAsync(request, l);
                return null;
            });
            return !stored.TryGetValue(name, out var held) ? new ApplyStep(new ApplyChange(LockKindName, name, ApplyAction.Create, "blocks " + PolicyCommands.Blocks(l)), run)
                : (held.NoWrite, held.NoDelete) == (l.NoWrite, l.NoDelete) ? ApplyStep.Unchanged(LockKindName, name)
                : new ApplyStep(new ApplyChange(LockKindName, name, ApplyAction.Update, $"blocks {PolicyCommands.Blocks(held)} → {PolicyCommands.Blocks(l)}"), run);
        })];
    }

    private static ApplyStep Step(string kind, string name, ApplyAction action, string? detail, AdminRequest request, object rule, bool recount) =>
        new(new ApplyChange(kind, name, action, detail ?? $"{PolicyRuleRow.KindOf(rule)} on {PolicyCommands.RepositoriesOf(rule)}"), async _ =>
        {
            await PutAsync(request, rule, recount);
            return null;
        });

    /// <summary>The fields that differ between two stored forms of a rule, by their names in <see cref="PolicySpec"/>.</summary>
    private static string Differences(string before, string after)
    {
        var (old, now) = (Flatten(JsonNode.Parse(before)!.AsObject()), Flatten(JsonNode.Parse(after)!.AsObject()));
        var names = old.Keys.Union(now.Keys).Where(k => old.GetValueOrDefault(k) != now.GetValueOrDefault(k)).Order(StringComparer.Ordinal);
        return "changes " + string.Join(", ", names);
    }

    /// <summary>The row's fields with keep's criteria as the spec names them (keep.lastPushed is keepLastPushed).</summary>
    private static Dictionary<string, string> Flatten(JsonObject json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in json)
        {
            if (key == "keep" && value is JsonObject keep)
            {
                foreach (var (criterion, setting) in keep)
                {
                    fields["keep" + char.ToUpperInvariant(criterion[0]) + criterion[1..]] = setting?.ToJsonString() ?? "";
                }
            }
            else
            {
                fields[key] = value?.ToJsonString() ?? "";
            }
        }

        return fields;
    }
}
