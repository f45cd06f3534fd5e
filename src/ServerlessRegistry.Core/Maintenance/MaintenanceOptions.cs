using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Core.Maintenance;

/// <summary>
/// The "Maintenance" configuration section: how garbage collection and upload expiry decide what may go.
/// Every age is measured from the start of a run on the injected <see cref="TimeProvider"/>.
/// </summary>
internal sealed class MaintenanceOptions
{
    /// <summary>
    /// Content, links and untagged manifests touched more recently than this are kept even when nothing references
    /// them: they may belong to a push in progress. At least <see cref="MinimumGracePeriod"/>.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Removes manifests that no tag (and no kept index or subject) references, once older than the grace period.</summary>
    public bool DeleteUntagged { get; set; }

    /// <summary>Reports what a run would remove and removes nothing.</summary>
    public bool DryRun { get; set; }

    /// <summary>Upload sessions idle for longer than this are removed together with their staged blocks.</summary>
    public TimeSpan UploadMaxAge { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Storage deletes in flight at once during a sweep.</summary>
    public int Parallelism { get; set; } = 16;

    /// <summary>See <see cref="GcProtocol.MinimumGracePeriod"/>.</summary>
    public static readonly TimeSpan MinimumGracePeriod = GcProtocol.MinimumGracePeriod;

    /// <summary>
    /// Lifts the <see cref="MinimumGracePeriod"/> floor: only for a local emulator, where no push can be in flight
    /// but the operator's own. Set by code (<see cref="With"/>), never bound from configuration.
    /// </summary>
    public bool AllowShortGracePeriod { get; private init; }

    /// <summary>Throws when the options would break the protocol's time argument.</summary>
    public MaintenanceOptions Validate()
    {
        if (GracePeriod < TimeSpan.Zero || GracePeriod < MinimumGracePeriod && !AllowShortGracePeriod)
        {
            throw new ArgumentException($"Maintenance:GracePeriod must be at least {MinimumGracePeriod} (shorter only against a local emulator).");
        }

        if (UploadMaxAge < GracePeriod)
        {
            throw new ArgumentException("Maintenance:UploadMaxAge must be at least the grace period.");
        }

        if (Parallelism is < 1 or > 64)
        {
            throw new ArgumentException("Maintenance:Parallelism must be 1-64.");
        }

        return this;
    }

    public MaintenanceOptions With(bool? dryRun = null, bool? deleteUntagged = null, TimeSpan? gracePeriod = null, bool? allowShortGracePeriod = null) => new()
    {
        GracePeriod = gracePeriod ?? GracePeriod,
        AllowShortGracePeriod = allowShortGracePeriod ?? AllowShortGracePeriod,
        DeleteUntagged = deleteUntagged ?? DeleteUntagged,
        DryRun = dryRun ?? DryRun,
        UploadMaxAge = UploadMaxAge,
        Parallelism = Parallelism,
    };
}

/// <summary>What one garbage-collection run found and did (or, in a dry run, would do).</summary>
/// <param name="BlobsScanned">Physical blobs listed in the container.</param>
/// <param name="BlobsDeleted">Physical blobs deleted (index-named content and orphans).</param>
/// <param name="BytesReclaimed">Committed bytes of the deleted blobs.</param>
/// <param name="SessionsExpired">Upload sessions removed by expiry in this run.</param>
internal sealed record GcReport(
    bool DryRun,
    long BlobsScanned,
    long BlobsDeleted,
    long BytesReclaimed,
    long SessionsExpired,
    long ManifestsDeleted,
    long LinksDeleted,
    long IndexRowsDeleted,
    long Conflicts,
    TimeSpan Elapsed)
{
    /// <summary>Unreferenced blobs kept because a push touched them within the grace period.</summary>
    public long BlobsWaiting { get; init; }

    /// <summary>Manifests whose listing summary was absent or incomplete and was written again (GarbageCollector.Summaries.cs).</summary>
    public long SummariesFilled { get; init; }

    /// <summary>Committed bytes of <see cref="BlobsWaiting"/>.</summary>
    public long BytesWaiting { get; init; }

    /// <summary>When the first of <see cref="BlobsWaiting"/> becomes collectable; null when none waits.</summary>
    public DateTimeOffset? CollectableFrom { get; init; }

    /// <summary>One line from each feature step that ran before the collection (the mirror's eviction).</summary>
    public IReadOnlyList<string> Steps { get; init; } = [];

    public string Summary() =>
        string.Concat(Steps.Select(s => s + "; ")) +
        $"{(DryRun ? "dry run: would delete" : "deleted")} {BlobsDeleted} of {BlobsScanned} blobs scanned, {BytesReclaimed} bytes reclaimed, " +
        $"{SessionsExpired} sessions expired, {ManifestsDeleted} manifests, {LinksDeleted} links, {IndexRowsDeleted} index rows, " +
        $"{Conflicts} kept after a concurrent write, {BlobsWaiting} blobs ({BytesWaiting} bytes) waiting for the grace period, in {Elapsed.TotalSeconds:0.0} s";
}

/// <summary>Progress of a long run: the phase and how many items it has handled so far.</summary>
internal sealed record GcProgress(string Phase, long Done);
