using System.ComponentModel;
using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>Storage one repository accounts for, in bytes, from metadata only.</summary>
[Description("Storage one repository accounts for, from metadata only (no content is read).")]
internal sealed record RepositoryUsageView(
    string Repository,
    [property: Description("Every blob it links and every manifest it holds, at full size: its cost if stored alone.")]
    long Logical,
    [property: Description("Its share of what is stored: each shared blob's size divided among the repositories linking it.")]
    long Deduplicated,
    [property: Description("Bytes no other repository references: what deleting it would reclaim (after garbage collection).")]
    long Exclusive,
    [property: Description("Blob links (layers and configs).")]
    int Blobs,
    [property: Description("Manifests, tagged or not.")]
    int Manifests)
{
    public static RepositoryUsageView Of(RepositoryUsage usage) =>
        new(usage.Repository, usage.Logical, usage.Deduplicated, usage.Exclusive, usage.Blobs, usage.Manifests);
}

/// <summary>Totals over every repository, whatever page was asked for.</summary>
[Description("Totals over every repository (not only this page).")]
internal sealed record UsageTotals(
    int Repositories,
    [property: Description("The sum of every repository's logical bytes.")]
    long Logical,
    [property: Description("Bytes physically stored: shared content counted once.")]
    long Deduplicated,
    long Blobs,
    long Manifests);

/// <summary>One page of repositories in name order, with totals over all of them.</summary>
[Description("Storage per repository, a page at a time in name order, with totals over every repository.")]
internal sealed record UsageView(
    IReadOnlyList<RepositoryUsageView> Items,
    UsageTotals Totals,
    [property: Description("The last repository of this page, to pass as last for the next; absent on the last page.")]
    string? Next = null);

/// <summary>The body of collectGarbage.</summary>
[Description("One garbage-collection run: unreferenced blobs, untagged manifests on request, expired uploads.")]
internal sealed record GcRequest(
    [property: Description("Report what would be deleted; delete nothing.")]
    bool DryRun = false,
    [property: Description("Also delete manifests no tag reaches (after the grace period).")]
    bool DeleteUntagged = false,
    [property: Description("Keep unreferenced content touched more recently than this: 24h, 2d, 90m, 0s (default Maintenance:GracePeriod). " +
        "At least 2h, because a push in progress may not have linked its blobs yet; shorter only when the registry's storage is a local emulator.")]
    string? GracePeriod = null);

/// <summary>What a garbage-collection run found and did (or, with dryRun, would do).</summary>
[Description("What one garbage-collection run found and did (with dryRun: would do).")]
internal sealed record GcReportView(
    bool DryRun,
    [property: Description("The grace period the run used (d.hh:mm:ss).")]
    string GracePeriod,
    [property: Description("Physical blobs listed in the container.")]
    long BlobsScanned,
    [property: Description("Physical blobs deleted, or that a dry run would delete.")]
    long BlobsDeleted,
    long BytesReclaimed,
    [property: Description("Unreferenced blobs kept because they were touched within the grace period.")]
    long BlobsWaiting,
    long BytesWaiting,
    long SessionsExpired,
    long ManifestsDeleted,
    long LinksDeleted,
    long IndexRowsDeleted,
    [property: Description("Items kept because a concurrent write touched them during the run.")]
    long Conflicts,
    double ElapsedSeconds,
    [property: Description("One line from each feature step that ran with the collection (the mirror's eviction).")]
    IReadOnlyList<string> Steps,
    [property: Description("When the first waiting blob becomes collectable; absent when none waits.")]
    DateTimeOffset? CollectableFrom = null,
    [property: Description("Set when the grace period is below the minimum, which only a local emulator allows.")]
    string? Warning = null)
{
    public static GcReportView Of(GcReport report, TimeSpan gracePeriod, string? warning) => new(
        report.DryRun, gracePeriod.ToString("c", System.Globalization.CultureInfo.InvariantCulture), report.BlobsScanned, report.BlobsDeleted,
        report.BytesReclaimed, report.BlobsWaiting, report.BytesWaiting, report.SessionsExpired, report.ManifestsDeleted,
        report.LinksDeleted, report.IndexRowsDeleted, report.Conflicts, Math.Round(report.Elapsed.TotalSeconds, 3), report.Steps, report.CollectableFrom, warning);
}
