namespace ServerlessRegistry.Policies.Retention;

/// <summary>Why a tag or manifest is deleted or kept: the rule, and the criterion in words.</summary>
internal sealed record RetentionVerdict(string Repository, string? Tag, string Digest, bool Deleted, string Rule, string Reason);

/// <summary>What one run did (or, dry, would do).</summary>
internal sealed record RetentionReport(bool DryRun, long RepositoriesChecked, long TagsChecked, IReadOnlyList<RetentionVerdict> Deleted, long Conflicts, TimeSpan Elapsed)
{
    /// <summary>Verdicts of tags and manifests kept, filled only when asked for (explain).</summary>
    public IReadOnlyList<RetentionVerdict> Kept { get; init; } = [];
}

/// <summary>
/// Applies the retention rules: decides per repository what to delete (RetentionPlanner) and deletes it through the same
/// online, race-safe path as garbage collection (rows deleted on the ETag read, nothing pushed within the grace period).
/// Content is reclaimed by the garbage collection that follows.
/// </summary>
internal sealed class RetentionRunner
{
    /// <summary>One run over every repository a rule covers (or only <paramref name="repository"/>).</summary>
    public Task<RetentionReport> RunAsync(bool dryRun, TimeSpan gracePeriod, string? repository, bool withKept, IProgress<Core.Maintenance.GcProgress>? progress, CancellationToken ct) =>
        throw new NotImplementedException();
}
