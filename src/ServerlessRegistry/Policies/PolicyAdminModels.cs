using System.ComponentModel;

namespace ServerlessRegistry.Policies;

// Nullable fields of these records have defaults: nulls are not written, so a reader must be able to leave them out.

/// <summary>The three kinds of rule; a name is unique across kinds.</summary>
internal enum PolicyKind
{
    Retention,
    Immutable,
    Quota,
}

/// <summary>
/// A rule as PUT /policies/{name} and apply take it: the fields <c>policy retention|immutable|quota set</c> take, by
/// kind. A field of another kind is refused; absent optional fields are absent from the stored rule.
/// </summary>
[Description("A retention, immutable-tag or quota rule: the fields 'policy retention|immutable|quota set' takes. A field that belongs to another kind is refused.")]
internal sealed record PolicySpec(
    [property: Description("retention, immutable or quota.")] PolicyKind Kind,
    [property: Description("Repository pattern: team/* (one level), team/** (any depth), ** (every repository).")] string Repositories,
    [property: Description("Tag patterns. Retention: the tags the rule decides on (default ** when a keep criterion is given; none for a rule on untagged manifests only); other tags are kept. Immutable: exactly one pattern (v*, release-*) whose tags cannot be moved or deleted.")] IReadOnlyList<string>? Tags = null,
    [property: Description("Retention: keep the N most recently pushed tags, per repository.")] int? KeepLastPushed = null,
    [property: Description("Retention: keep the N most recently pulled tags, per repository (never pulled: as of its push).")] int? KeepLastPulled = null,
    [property: Description("Retention: keep tags pushed within this period (30d, 12h).")] string? KeepPushedWithin = null,
    [property: Description("Retention: keep tags whose manifest was pulled within this period (30d, 12h).")] string? KeepPulledWithin = null,
    [property: Description("Retention: keep tags matching any of these patterns.")] IReadOnlyList<string>? KeepMatching = null,
    [property: Description("Retention: keep tags matching none of these patterns.")] IReadOnlyList<string>? KeepNotMatching = null,
    [property: Description("Retention: keep every tag in scope.")] bool? KeepAlways = null,
    [property: Description("Retention: delete untagged manifests not pushed or pulled for this long (7d); absent keeps them.")] string? UntaggedAfter = null,
    [property: Description("Quota: the bytes the repositories may store together, each digest counted once.")] long? LimitBytes = null);

/// <summary>A quota's counter: what it has counted, and what the last reconciliation corrected.</summary>
[Description("A quota's counter: bytes counted (pushes add; deletes are subtracted by reconciliation), and the last reconciliation.")]
internal sealed record QuotaUseView(
    long UsedBytes,
    [property: Description("What the last reconciliation corrected: counted minus held (positive: an overcount).")] long LastDriftBytes,
    [property: Description("When the counter was last recounted from what the repositories hold; absent when never.")] DateTimeOffset? ReconciledAt = null);

/// <summary>A stored rule: its name, its fields as PUT takes them (normalized), what it does in words, and a quota's use.</summary>
[Description("A stored rule: its fields as PUT /policies/{name} takes them (normalized: durations as 30d, 12h; defaults filled in), what it does in words, and a quota's use.")]
internal sealed record PolicyView(
    string Name,
    PolicySpec Spec,
    [property: Description("What the rule does, in one sentence (as 'policy list' prints it).")] string Summary,
    [property: Description("Quotas only: the counter.")] QuotaUseView? Use = null);

/// <summary>What DELETE /policies/{name} removed: the name and the kind as stored (possibly a kind this version does not know).</summary>
[Description("The removed rule: its name and its kind as stored (a newer version's kind, or empty, when this version could not read it).")]
internal sealed record RemovedPolicy(string Name, string Kind);

/// <summary>A lock as PUT /locks and apply take it: what it blocks (at least one).</summary>
[Description("What a lock blocks; at least one of the two. The target is the query's (PUT /locks?target=) or the apply document's key.")]
internal sealed record LockSpec(
    [property: Description("Nothing may change it: no push into a repository; a tag cannot be moved or deleted; a manifest cannot be deleted nor its tags moved away.")] bool NoWrite = false,
    [property: Description("It may not be deleted (for a repository: nothing in it).")] bool NoDelete = false);

/// <summary>A stored lock.</summary>
[Description("A lock on a repository (repo), a tag (repo:tag) or a manifest (repo@digest).")]
internal sealed record LockView(
    string Target,
    bool NoWrite,
    bool NoDelete,
    [property: Description("When the lock was set (replacing a lock sets it again).")] DateTimeOffset CreatedAt);

/// <summary>One rule or lock that applies to what explain was asked about.</summary>
[Description("A rule or lock that applies, and what it means for the repository, tag or manifest asked about.")]
internal sealed record PolicyApplication(
    [property: Description("retention, immutable, quota or lock.")] string Kind,
    [property: Description("The rule's name, or the lock's target.")] string Name,
    [property: Description("What it means here, in one sentence (as 'policy explain' prints it).")] string Explanation);

/// <summary>Retention's verdict on a tag or an untagged manifest: deleted (or, dry, would be) or kept, by which rule, and why.</summary>
[Description("Retention's verdict on a tag (tag present) or an untagged manifest: deleted or kept, by which rule, and why.")]
internal sealed record RetentionVerdictView(string Repository, string Digest, bool Deleted, string Rule, string Reason, string? Tag = null);

/// <summary>What retention would do now (a dry run) to the repository explain was asked about.</summary>
[Description("What retention would do now (a dry run): for a repository, every deletion; for a tag or manifest, the verdicts on it.")]
internal sealed record RetentionPreview(long TagsChecked, IReadOnlyList<RetentionVerdictView> Verdicts);

/// <summary>GET /policy-explanation: what applies to a repository, tag or manifest.</summary>
[Description("The rules and locks that apply to a repository, tag or manifest, and retention's verdict now.")]
internal sealed record PolicyExplanation(
    string Target,
    IReadOnlyList<PolicyApplication> Applies,
    [property: Description("Absent when no retention rule covers the repository.")] RetentionPreview? Retention = null);

/// <summary>POST /retention/run's body.</summary>
[Description("Run retention now, or (dryRun) report what it would delete.")]
internal sealed record RetentionRunRequest(
    [property: Description("Report what would be deleted, and why; delete nothing.")] bool DryRun = false,
    [property: Description("Apply the rules to this repository only.")] string? Repository = null);

/// <summary>What a retention run deleted (or, dry, would delete), and why.</summary>
[Description("What a retention run deleted (or would delete) and why, per tag and manifest; a tag several rules judged appears once per rule.")]
internal sealed record RetentionRunView(
    bool DryRun,
    long RepositoriesChecked,
    long TagsChecked,
    long TagsDeleted,
    long ManifestsDeleted,
    [property: Description("Tags and manifests kept because they changed during the run.")] long Conflicts,
    double ElapsedSeconds,
    IReadOnlyList<RetentionVerdictView> Deleted,
    [property: Description("The run in one sentence (as 'policy run' prints it).")] string Summary);

/// <summary>POST /quotas/reconcile's body.</summary>
[Description("Recount every quota now, or (dryRun) only report the drift.")]
internal sealed record QuotaReconcileRequest([property: Description("Report the drift; correct nothing.")] bool DryRun = false);

/// <summary>One quota's reconciliation.</summary>
[Description("One quota: its limit, what its counter said, what its repositories hold (each digest once, plus pushes in flight), and the drift.")]
internal sealed record QuotaDriftView(
    string Name,
    string Repositories,
    long LimitBytes,
    long CountedBytes,
    long ActualBytes,
    [property: Description("countedBytes - actualBytes: positive is an overcount, which refuses pushes early.")] long DriftBytes);

/// <summary>What a reconciliation found (and, unless dry, corrected).</summary>
[Description("Every quota's drift; unless dryRun, each counter was set to what its repositories hold.")]
internal sealed record QuotaReconcileView(bool DryRun, IReadOnlyList<QuotaDriftView> Quotas);
