using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Events.Replication;

/// <summary>One rule's part of a sync: tags compared, copied, already in sync, behind (dry run) and failed.</summary>
internal sealed record RuleSyncReport(ReplicationRule Rule, int Repositories, int Tags, int Copied, int InSync, IReadOnlyList<string> Behind,
    IReadOnlyList<string> Failures, int Blobs, long Bytes);

/// <summary>What one sync (or dry run) found and did.</summary>
internal sealed record SyncReport(IReadOnlyList<RuleSyncReport> Rules, bool DryRun)
{
    public int Failures => Rules.Sum(r => r.Failures.Count);

    /// <summary><c>replication: 1 rules, 2 repositories, 5 tags: 3 copied, 2 in sync, 0 failed; 7 blobs (1,234 bytes) pushed</c>.</summary>
    public string Summary() =>
        $"replication{(DryRun ? " (dry run)" : "")}: {Rules.Count} rules, {Rules.Sum(r => r.Repositories)} repositories, {Rules.Sum(r => r.Tags)} tags: " +
        (DryRun ? $"{Rules.Sum(r => r.Behind.Count)} to copy" : $"{Rules.Sum(r => r.Copied)} copied") +
        $", {Rules.Sum(r => r.InSync)} in sync, {Failures} failed" +
        (DryRun ? "" : $"; {Rules.Sum(r => r.Blobs)} blobs ({Rules.Sum(r => r.Bytes):N0} bytes) pushed");
}

/// <summary>
/// The full sync: for each rule, every repository here that it matches and every tag its filter takes is compared with
/// the destination (a HEAD of the tag there against the tag's digest here), and those missing or different are copied
/// (<see cref="ReplicationCopier"/>). A tag that is there is checked for the referrers of its manifest (signatures,
/// SBOMs attached later): those the destination lacks are copied by digest, and the tag counts as copied (a dry run lists
/// them as <c>repository@digest</c>). Catches up what push events missed: rules added later, a destination that was
/// down past the last retry, a tag changed there by hand, a referrer whose event was lost. A dry run copies nothing and
/// reports what it would copy.
/// </summary>
/// <remarks>
/// Idempotent. With no rules it makes no call at all. A failing tag (a refusal there, a damaged manifest here) is
/// reported and the run goes on; only storage failures here end it. Only the direct referrers of a tag's manifest are
/// checked (not those of an index's children, nor referrers of referrers): one referrers query per tag.
/// </remarks>
internal sealed class ReplicationSync(ReplicationRules rules, CatalogService catalog, ReplicationCopier copier, DestinationClient destination,
    ILogger<ReplicationSync> logger)
{
    private const int PageSize = 1000;

    /// <param name="rule">One rule's name, or null for all.</param>
    /// <param name="progress">One line per repository.</param>
    public async Task<SyncReport> RunAsync(string? rule, bool dryRun, IProgress<string>? progress, CancellationToken ct)
    {
        var selected = rules.All.Where(r => rule is null || r.Name.Equals(rule, StringComparison.OrdinalIgnoreCase)).ToList();
        var reports = new List<RuleSyncReport>();
        foreach (var r in selected)
        {
            reports.Add(await SyncRuleAsync(r, dryRun, progress, ct));
        }

        var report = new SyncReport(reports, dryRun);
        if (selected.Count > 0)
        {
            ReplicationLog.SyncFinished(logger, report.Summary());
        }

        return report;
    }

    private async Task<RuleSyncReport> SyncRuleAsync(ReplicationRule rule, bool dryRun, IProgress<string>? progress, CancellationToken ct)
    {
        var (repositories, tagCount, copied, inSync, blobs, bytes) = (0, 0, 0, 0, 0, 0L);
        var behind = new List<string>();
        var failures = new List<string>();
        await foreach (var repository in RepositoriesAsync(rule, ct))
        {
            repositories++;
            var (repoCopied, repoInSync, repoFailed, repoBehind) = (0, 0, 0, 0);
            var tags = await TagsAsync(rule, repository, ct);
            foreach (var tag in tags)
            {
                var target = rule.DestinationRepository(repository);
                try
                {
                    var here = await copier.DigestAsync(repository, tag, ct);
                    if (here is null)
                    {
                        continue; // deleted since it was listed
                    }

                    tagCount++;
                    var tagInSync = await destination.HeadManifestAsync(rule, target, tag, ct) == here;
                    // An in-sync tag may still lack a referrer whose push event was lost or refused (its subject was
                    // not there yet): one referrers query here per tag, a HEAD by digest there per referrer.
                    var missing = tagInSync ? await MissingReferrersAsync(rule, repository, target, here, ct) : [];
                    if (tagInSync && missing.Count == 0)
                    {
                        inSync++;
                        repoInSync++;
                    }
                    else if (dryRun)
                    {
                        behind.AddRange(tagInSync ? missing.Select(d => $"{repository}@{d}") : [$"{repository}:{tag}"]);
                        repoBehind++;
                    }
                    else if (!tagInSync)
                    {
                        if (await copier.CopyTagAsync(rule, repository, tag, ct) is { } result)
                        {
                            (copied, blobs, bytes) = (copied + 1, blobs + result.Blobs, bytes + result.Bytes);
                            repoCopied++;
                        }
                    }
                    else
                    {
                        foreach (var referrer in missing)
                        {
                            if (await copier.CopyDigestAsync(rule, repository, referrer, ct) is { } referrerResult)
                            {
                                (blobs, bytes) = (blobs + referrerResult.Blobs, bytes + referrerResult.Bytes);
                            }
                        }

                        copied++;
                        repoCopied++;
                    }
                }
                catch (Exception e) when (e is DeliveryException or RegistryException)
                {
                    // A destination's refusal or a damaged manifest here fails this tag only.
                    failures.Add($"{repository}:{tag}: {e.Message}");
                    repoFailed++;
                    ReplicationLog.SyncFailed(logger, rule.Name, repository, tag, e.Message);
                }
            }

            progress?.Report($"{rule.Name}: {repository} -> {rule.Destination.Authority}/{rule.DestinationRepository(repository)}: {tags.Count} tags: " +
                (dryRun ? $"{repoBehind} to copy" : $"{repoCopied} copied") + $", {repoInSync} in sync, {repoFailed} failed");
        }

        return new RuleSyncReport(rule, repositories, tagCount, copied, inSync, behind, failures, blobs, bytes);
    }

    /// <summary>The referrers of <paramref name="digest"/> here that the destination lacks.</summary>
    private async Task<IReadOnlyList<string>> MissingReferrersAsync(ReplicationRule rule, string repository, string target, string digest, CancellationToken ct)
    {
        var missing = new List<string>();
        foreach (var referrer in await copier.ReferrersAsync(repository, digest, ct))
        {
            if (await destination.HeadManifestAsync(rule, target, referrer, ct) != referrer)
            {
                missing.Add(referrer);
            }
        }

        return missing;
    }

    /// <summary>The catalog here, page by page, filtered by the rule's repository patterns.</summary>
    private async IAsyncEnumerable<string> RepositoriesAsync(ReplicationRule rule, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? last = null;
        while (true)
        {
            var page = await catalog.ListRepositoriesAsync(PageSize, last, ct);
            foreach (var name in page.Names.Where(rule.MatchesRepository))
            {
                yield return name;
            }

            if (!page.HasMore || page.Names.Count == 0)
            {
                yield break;
            }

            last = page.Names[^1];
        }
    }

    private async Task<IReadOnlyList<string>> TagsAsync(ReplicationRule rule, string repository, CancellationToken ct)
    {
        var tags = new List<string>();
        string? last = null;
        try
        {
            while (true)
            {
                var page = await catalog.ListTagsAsync(repository, PageSize, last, ct);
                tags.AddRange(page.Names.Where(rule.MatchesTag));
                if (!page.HasMore || page.Names.Count == 0)
                {
                    return tags;
                }

                last = page.Names[^1];
            }
        }
        catch (RegistryException e) when (e.Kind == ErrorKind.NameUnknown)
        {
            return tags; // listed in the catalog but never pushed to (or emptied)
        }
    }
}
