using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Policies.Quotas;

namespace ServerlessRegistry.Policies;

/// <summary>
/// Between the admin API's <see cref="PolicySpec"/> and the stored rules: a spec becomes a rule with the command line's
/// defaults (retention tags ** when a keep criterion is given), and a rule becomes its normalized spec, so that a spec
/// read back, or applied again, compares equal. Pure functions.
/// </summary>
internal static class PolicySpecs
{
    /// <summary>
    /// The rule <paramref name="spec"/> describes under <paramref name="name"/>, or why it cannot be stored, in one line that
    /// names the field (null rule). Checks everything <see cref="PolicyStore.Check"/> checks.
    /// </summary>
    public static (object? Rule, string? Problem) ToRule(string name, PolicySpec spec)
    {
        if (!PolicyStore.IsValidName(name))
        {
            return (null, $"name '{name}' is not valid: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters");
        }

        if (Foreign(spec) is { } foreign)
        {
            return (null, $"{foreign} is not a field of {(spec.Kind == PolicyKind.Immutable ? "an" : "a")} {Kind(spec.Kind)} rule");
        }

        if (Patterns("repositories", [spec.Repositories]) is { } badScope)
        {
            return (null, badScope);
        }

        string? problem;
        object? rule;
        switch (spec.Kind)
        {
            case PolicyKind.Retention:
                (rule, problem) = Retention(name, spec);
                break;
            case PolicyKind.Immutable:
                if (spec.Tags is [var tags])
                {
                    problem = Patterns("tags", [tags]);
                    rule = problem is null ? new ImmutableRule(name, spec.Repositories, tags) : null;
                }
                else
                {
                    (rule, problem) = (null, "tags: an immutable rule takes exactly one tag pattern");
                }

                break;
            default:
                problem = spec.LimitBytes is > 0 ? null : "limitBytes: a quota needs a limit above zero bytes";
                rule = problem is null ? new QuotaRule(name, spec.Repositories, spec.LimitBytes!.Value) : null;
                break;
        }

        return problem is null && PolicyStore.Check(rule!) is { } combination ? (null, combination) : (rule, problem);
    }

    /// <summary>The normalized spec of a stored rule: what GET answers and what apply compares.</summary>
    public static PolicySpec FromRule(object rule) => rule switch
    {
        RetentionRule r => new PolicySpec(PolicyKind.Retention, r.Repositories, r.Tags.Count > 0 ? [.. r.Tags] : null,
            r.Keep.LastPushed, r.Keep.LastPulled, Duration(r.Keep.PushedWithin), Duration(r.Keep.PulledWithin),
            r.Keep.Matching.Count > 0 ? [.. r.Keep.Matching] : null, r.Keep.NotMatching.Count > 0 ? [.. r.Keep.NotMatching] : null,
            r.Keep.Always ? true : null, Duration(r.UntaggedAfter)),
        ImmutableRule r => new PolicySpec(PolicyKind.Immutable, r.Repositories, [r.Tags]),
        QuotaRule r => new PolicySpec(PolicyKind.Quota, r.Repositories, LimitBytes: r.LimitBytes),
        _ => throw new ArgumentException($"{rule.GetType().Name} is not a policy rule."),
    };

    /// <summary>The rule a view describes (a view holds a stored, valid rule).</summary>
    public static object RuleOf(PolicyView view) =>
        ToRule(view.Name, view.Spec) is { Rule: { } rule } ? rule : throw new FormatException($"rule '{view.Name}' as answered is not valid");

    public static PolicyView View(object rule, QuotaUse? use = null) =>
        new(PolicyRuleRow.NameOf(rule), FromRule(rule), PolicyCommands.Summary(rule),
            use is null ? null : new QuotaUseView(use.UsedBytes, use.LastDrift, use.ReconciledAt));

    /// <summary>The rule as stored (its row's JSON): equal for rules that behave the same, whatever order or units they were given in.</summary>
    public static string Stored(object rule) => PolicyRuleRow.ToRow(rule, DateTimeOffset.UnixEpoch).GetString("Json") ?? "";

    public static string Kind(PolicyKind kind) => kind switch
    {
        PolicyKind.Retention => PolicyRuleRow.Retention,
        PolicyKind.Immutable => PolicyRuleRow.Immutable,
        _ => PolicyRuleRow.Quota,
    };

    private static (object? Rule, string? Problem) Retention(string name, PolicySpec spec)
    {
        var problem = Patterns("tags", spec.Tags ?? []) ?? Patterns("keepMatching", spec.KeepMatching ?? []) ?? Patterns("keepNotMatching", spec.KeepNotMatching ?? [])
            ?? (spec.KeepLastPushed < 1 ? "keepLastPushed must be at least 1" : null)
            ?? (spec.KeepLastPulled < 1 ? "keepLastPulled must be at least 1" : null);
        var (pushedWithin, pushedProblem) = Period("keepPushedWithin", spec.KeepPushedWithin);
        var (pulledWithin, pulledProblem) = Period("keepPulledWithin", spec.KeepPulledWithin);
        var (untaggedAfter, untaggedProblem) = Period("untaggedAfter", spec.UntaggedAfter);
        if ((problem ?? pushedProblem ?? pulledProblem ?? untaggedProblem) is { } first)
        {
            return (null, first);
        }

        var keep = new RetentionKeep(spec.KeepLastPushed, spec.KeepLastPulled, pushedWithin, pulledWithin,
            spec.KeepMatching ?? [], spec.KeepNotMatching ?? [], spec.KeepAlways ?? false);
        // The command line's default: with a keep criterion and no tag patterns, the rule decides on every tag.
        IReadOnlyList<string> tags = spec.Tags is { Count: > 0 } given ? given : PolicyStore.HasCriteria(keep) ? ["**"] : [];
        return (new RetentionRule(name, spec.Repositories, tags, keep, untaggedAfter), null);
    }

    /// <summary>The first field set that the spec's kind does not have.</summary>
    private static string? Foreign(PolicySpec spec)
    {
        var retention = new (string Name, bool Set)[]
        {
            ("keepLastPushed", spec.KeepLastPushed is not null), ("keepLastPulled", spec.KeepLastPulled is not null),
            ("keepPushedWithin", spec.KeepPushedWithin is not null), ("keepPulledWithin", spec.KeepPulledWithin is not null),
            ("keepMatching", spec.KeepMatching is not null), ("keepNotMatching", spec.KeepNotMatching is not null),
            ("keepAlways", spec.KeepAlways is not null), ("untaggedAfter", spec.UntaggedAfter is not null),
        };
        IEnumerable<(string Name, bool Set)> foreign = spec.Kind switch
        {
            PolicyKind.Retention => [("limitBytes", spec.LimitBytes is not null)],
            PolicyKind.Immutable => [.. retention, ("limitBytes", spec.LimitBytes is not null)],
            _ => [.. retention, ("tags", spec.Tags is not null)],
        };
        return foreign.FirstOrDefault(f => f.Set).Name;
    }

    private static string? Patterns(string field, IEnumerable<string> patterns) =>
        patterns.Select(p => Pattern.Check(p)).FirstOrDefault(p => p is not null) is { } problem ? $"{field}: {problem}" : null;

    private static (TimeSpan? Value, string? Problem) Period(string field, string? text) =>
        text is null ? (null, null)
        : Durations.TryParse(text, out var period) && period > TimeSpan.Zero ? (period, null)
        : (null, $"{field} '{text}' is not a period; give 30d, 12h or 90m");

    private static string? Duration(TimeSpan? duration) => duration is { } d ? Durations.Format(d) : null;
}
