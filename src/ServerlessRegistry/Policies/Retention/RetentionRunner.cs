using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Policies.Retention;

/// <summary>Why a tag or manifest is deleted or kept: the rule, and the criterion in words.</summary>
internal sealed record RetentionVerdict(string Repository, string? Tag, string Digest, bool Deleted, string Rule, string Reason);

/// <summary>What one run did (or, dry, would do).</summary>
internal sealed record RetentionReport(bool DryRun, long RepositoriesChecked, long TagsChecked, IReadOnlyList<RetentionVerdict> Deleted, long Conflicts, TimeSpan Elapsed)
{
    /// <summary>Verdicts of tags and manifests kept, filled only when asked for (explain).</summary>
    public IReadOnlyList<RetentionVerdict> Kept { get; init; } = [];

    public long TagsDeleted => Deleted.Where(v => v.Tag is not null).Select(v => (v.Repository, v.Tag)).Distinct().LongCount();

    public long ManifestsDeleted => Deleted.Where(v => v.Tag is null).Select(v => (v.Repository, v.Digest)).Distinct().LongCount();

    public string Summary() =>
        $"{(DryRun ? "would delete" : "deleted")} {TagsDeleted} tags and {ManifestsDeleted} manifests of {TagsChecked} tags in {RepositoriesChecked} repositories, " +
        $"{Conflicts} kept after a concurrent write, in {Elapsed.TotalSeconds:0.0} s";
}

/// <summary>
/// Applies the retention rules: decides per repository what to delete (RetentionPlanner) and deletes it through the same
/// online, race-safe path as garbage collection (rows deleted on the ETag read, nothing pushed within the grace period).
/// Content is reclaimed by the garbage collection that follows.
/// </summary>
/// <remarks>
/// Reads each covered repository's tag, manifest and referrer rows once (one query) and its pull times once, so a run costs
/// about two storage calls per repository plus one per 1,000 catalog rows, and its deletes. Idempotent: a second run right
/// after the first deletes nothing. Safe beside pushes: a tag re-pushed or moved meanwhile fails its delete and stays; a
/// manifest re-pushed or re-tagged meanwhile changes its ETag, fails its delete and stays with everything it would have
/// taken along. Every such conflict is counted.
/// </remarks>
internal sealed partial class RetentionRunner(
    RegistryStorage storage, PolicyCache policies, PullRecorder pulls, TimeProvider time, ILogger<RetentionRunner> logger, RepositoryStats? stats = null,
    IRegistryEvents? events = null)
{
    private const int Parallelism = 8;

    /// <summary>One run over every repository a rule covers (or only <paramref name="repository"/>).</summary>
    public async Task<RetentionReport> RunAsync(bool dryRun, TimeSpan gracePeriod, string? repository, bool withKept, IProgress<GcProgress>? progress, CancellationToken ct) =>
        await RunAsync(await policies.CurrentAsync(ct).ConfigureAwait(false), dryRun, gracePeriod, repository, withKept, progress, ct).ConfigureAwait(false);

    /// <summary>One run under the given rules and locks (what <see cref="PolicyCache"/> would return).</summary>
    public async Task<RetentionReport> RunAsync(PolicySet set, bool dryRun, TimeSpan gracePeriod, string? repository, bool withKept, IProgress<GcProgress>? progress, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var run = new Run(set, time.GetUtcNow(), gracePeriod, dryRun, withKept, progress);
        if (set.Retention.Count > 0)
        {
            if (repository is not null)
            {
                await ApplyAsync(run, [repository], ct).ConfigureAwait(false);
            }
            else
            {
                var query = new RowQuery { PartitionKey = StorageLayout.CatalogPartition, Top = 1000 };
                do
                {
                    var page = await storage.Metadata.QueryAsync(storage.Layout.CatalogTable, query, ct).ConfigureAwait(false);
                    await ApplyAsync(run, [.. page.Rows.Select(r => CatalogRow.FromRow(r).Name)], ct).ConfigureAwait(false);
                    query = query with { Continuation = page.Continuation };
                }
                while (query.Continuation is not null);
            }
        }

        var report = new RetentionReport(dryRun, run.Repositories, run.Tags, run.Sorted(run.Deleted), run.Conflicts, time.GetElapsedTime(started))
        {
            Kept = run.Sorted(run.Kept),
        };
        Finished(logger, dryRun, report.TagsDeleted, report.ManifestsDeleted, report.TagsChecked, report.RepositoriesChecked, report.Conflicts);
        return report;
    }

    private Task ApplyAsync(Run run, IReadOnlyList<string?> names, CancellationToken ct) =>
        Parallel.ForEachAsync(names.Where(n => n is not null && run.Policies.RetentionFor(n).Any()),
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (name, token) => await ApplyAsync(run, name!, token).ConfigureAwait(false));

    private async Task ApplyAsync(Run run, string repository, CancellationToken ct)
    {
        // Links ("b:") sort before manifests and are not retention's business: the range starts after them.
        var rows = await storage.QueryAllAsync(storage.Layout.RepositoriesTable, new RowQuery
        {
            PartitionKey = StorageLayout.RepositoryKey(repository),
            RowKeyFrom = StorageLayout.ManifestPrefix,
            RowKeyTo = StorageLayout.PrefixEnd(StorageLayout.TagPrefix),
        }, int.MaxValue, ct).ConfigureAwait(false);
        var pulled = await pulls.ReadAsync(repository, ct).ConfigureAwait(false);
        var input = RetentionInput.For(run.Policies, repository, rows, pulled, run.Now, run.GracePeriod);
        var plan = await RetentionPlanner.PlanAsync(input, ReadRefsAsync, ct).ConfigureAwait(false);
        var outcome = run.DryRun ? RetentionDeletes.Dry(plan) : await new RetentionDeletes(storage).ApplyAsync(plan, ct).ConfigureAwait(false);
        if (!run.DryRun && (outcome.Tags.Count > 0 || outcome.Manifests.Count > 0))
        {
            // The events first: the deletes are stored, and what follows may fail.
            if (events is not null && events.Wants(ChangeAction.Delete))
            {
                await events.PublishAsync(
                    [.. outcome.Tags.Select(t => new RegistryChange(ChangeAction.Delete, repository, t.Digest, Tag: t.Tag)),
                     .. outcome.Manifests.Select(m => new RegistryChange(ChangeAction.Delete, repository, m.Digest))],
                    ChangeOrigin.Registry("retention"), ct).ConfigureAwait(false);
            }

            stats?.Changed(repository);
            foreach (var digest in outcome.Manifests.Select(m => m.Digest).Where(pulled.ContainsKey))
            {
                await pulls.ForgetAsync(repository, digest, ct).ConfigureAwait(false);
            }
        }

        run.Add(plan, outcome);
    }

    /// <summary>An index's children: parsed from the row, or from its blob (missing content names none; unreadable content is null).</summary>
    private async Task<ManifestRefs?> ReadRefsAsync(TableRow row, CancellationToken ct)
    {
        var body = ManifestBody.FromRow(row);
        if (body.Content is { } inline)
        {
            return ManifestRefs.Parse(inline, body.MediaType);
        }

        var bytes = await storage.Blobs.ReadAllAsync(body.Blob ?? "", ct).ConfigureAwait(false);
        return bytes is null ? new ManifestRefs([], []) : ManifestRefs.Parse(bytes, body.MediaType);
    }

    [LoggerMessage(720, LogLevel.Information, "Retention (dry run: {DryRun}): {TagsDeleted} tags and {ManifestsDeleted} manifests of {TagsChecked} tags in {Repositories} repositories, {Conflicts} kept after a concurrent write")]
    private static partial void Finished(ILogger logger, bool dryRun, long tagsDeleted, long manifestsDeleted, long tagsChecked, long repositories, long conflicts);

    /// <summary>One run's state; repositories are applied in parallel, so additions take a lock.</summary>
    private sealed class Run(PolicySet policies, DateTimeOffset now, TimeSpan gracePeriod, bool dryRun, bool withKept, IProgress<GcProgress>? progress)
    {
        private readonly Lock _gate = new();

        public PolicySet Policies { get; } = policies;
        public DateTimeOffset Now { get; } = now;
        public TimeSpan GracePeriod { get; } = gracePeriod;
        public bool DryRun { get; } = dryRun;
        public List<RetentionVerdict> Deleted { get; } = [];
        public List<RetentionVerdict> Kept { get; } = [];
        public long Repositories, Tags, Conflicts;

        public void Add(RetentionPlan plan, RetentionOutcome outcome)
        {
            lock (_gate)
            {
                Repositories++;
                Tags += plan.TagsChecked;
                Conflicts += outcome.Conflicts;
                Deleted.AddRange(outcome.Tags.SelectMany(t => t.Verdicts));
                Deleted.AddRange(outcome.Manifests.SelectMany(m => m.Verdicts));
                if (withKept)
                {
                    Kept.AddRange(plan.Kept);
                }

                progress?.Report(new GcProgress("repositories retained", Repositories));
            }
        }

        /// <summary>In a stable order whatever the parallelism: repository, tags before manifests, name, rule.</summary>
        public List<RetentionVerdict> Sorted(List<RetentionVerdict> verdicts) =>
            [.. verdicts.OrderBy(v => v.Repository, StringComparer.Ordinal).ThenBy(v => v.Tag is null).ThenBy(v => v.Tag ?? v.Digest, StringComparer.Ordinal)
                .ThenBy(v => v.Rule, StringComparer.Ordinal)];
    }
}
