using System.ComponentModel;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Events;
using ServerlessRegistry.Mirror;
using ServerlessRegistry.Policies;

namespace ServerlessRegistry.Admin.Apply;

/// <summary>
/// What a registry should hold, keyed by name: the file <c>apply</c> reads (JSON; comments and trailing commas allowed).
/// Apply creates what is missing and updates what differs; it never deletes what the document leaves out.
/// </summary>
[Description("What the registry should hold, keyed by name. Apply creates what is missing and updates what differs; it never deletes what the document leaves out.")]
internal sealed record ApplyDocument
{
    [Description("Access tokens to ensure. A missing one is created (its secret is in the report, once); an existing one keeps its secret and expiry and gets the repositories and actions given.")]
    public Dictionary<string, TokenSpec> Tokens { get; init; } = [];

    [Description("Retention, immutable-tag and quota rules, as PUT /policies/{name} takes them.")]
    public Dictionary<string, PolicySpec> Policies { get; init; } = [];

    [Description("Locks by target (repo, repo:tag or repo@digest), as PUT /locks takes them.")]
    public Dictionary<string, LockSpec> Locks { get; init; } = [];

    [Description("Stored cache rules, as PUT /cache-rules/{name} takes them.")]
    public Dictionary<string, CacheRuleSpec> CacheRules { get; init; } = [];

    [Description("Stored webhooks, as PUT /event-endpoints/{name} takes them.")]
    public Dictionary<string, EventEndpointSpec> EventEndpoints { get; init; } = [];
}

/// <summary>What apply does to one entry.</summary>
internal enum ApplyAction
{
    Unchanged,
    Create,
    Update,
}

/// <summary>One entry's outcome: kind (token, policy, lock, cacheRule, eventEndpoint), name, action, and what differs.</summary>
internal sealed record ApplyChange(string Kind, string Name, ApplyAction Action, string? Detail = null);

/// <summary>
/// One planned change and how to make it. <see cref="Run"/> is null for an unchanged entry; it returns a secret to show
/// once (a created token's), or null. Each run is one atomic storage write, safe to repeat: a re-run of the same
/// document after an interruption finishes the work.
/// </summary>
internal sealed record ApplyStep(ApplyChange Change, Func<CancellationToken, Task<string?>>? Run)
{
    public static ApplyStep Unchanged(string kind, string name) => new(new ApplyChange(kind, name, ApplyAction.Unchanged), null);
}

/// <summary>A secret created by this apply: shown here only.</summary>
internal sealed record CreatedSecret(string Kind, string Name, string Secret);

/// <summary>What apply did (or, with dryRun, would do), in document order within each kind.</summary>
internal sealed record ApplyReport(bool DryRun, IReadOnlyList<ApplyChange> Changes, IReadOnlyList<CreatedSecret> Secrets)
{
    /// <summary>Set when a write failed part-way: the entry, the reason; Changes then lists only what was applied.</summary>
    [Description("Set when a write failed part-way: which entry and why. Changes then lists only the entries applied before it; apply the same document again to finish.")]
    public string? Failure { get; init; }

    public int Count(ApplyAction action) => Changes.Count(c => c.Action == action);
}
