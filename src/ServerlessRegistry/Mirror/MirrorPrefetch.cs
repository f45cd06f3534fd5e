using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Mirror.Fill;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror;

/// <summary>What one pre-fetch run did.</summary>
internal sealed record PrefetchReport(int Images, int Manifests, int BlobsFetched, long BytesFetched, IReadOnlyList<string> Failures)
{
    public string Summary() =>
        $"prefetch: {Images} images warm ({Manifests} manifests), {BlobsFetched} blobs fetched ({BytesFetched} bytes)" +
        (Failures.Count == 0 ? "" : $", {Failures.Count} failed: " + string.Join("; ", Failures));
}

/// <summary>
/// Keeps the configured images warm (Mirror:Prefetch): for each entry, the upstream's tags matching its patterns are
/// resolved the way a pull resolves them (a HEAD, and a GET only when the digest changed), and every manifest of every
/// platform and every blob they name is fetched into the cache. What is cached already costs one link read.
/// </summary>
/// <remarks>
/// Idempotent; safe beside pulls (they share the fill). A 429 waits for the upstream's Retry-After (up to
/// <see cref="LongestWait"/>) and tries again once; a longer limit ends that entry and the run reports it. The CLI command
/// and the timer both run this.
/// </remarks>
internal sealed partial class MirrorPrefetch(
    CacheRuleSet ruleSet, IOptions<MirrorOptions> options, IUpstreamRegistry upstream, MirrorManifests manifests, BlobService blobs, BlobFiller filler,
    TimeProvider time, ILogger<MirrorPrefetch> logger)
{
    /// <summary>The longest Retry-After a run waits out; Docker Hub's anonymous window is hours, which the next run covers instead.</summary>
    public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(2);

    public async Task<PrefetchReport> RunAsync(IProgress<string>? progress, CancellationToken ct)
    {
        var run = new Run(progress);
        // A stored rule for a longer prefix serves an entry as it serves pulls; a settings rule always covers it (checked at start).
        var rules = await ruleSet.CurrentAsync(ct).ConfigureAwait(false);
        foreach (var entry in options.Value.Prefetch)
        {
            var target = rules.Match(entry.Repository) ?? throw new InvalidOperationException($"Mirror:Prefetch repository {entry.Repository} is under no rule.");
            try
            {
                var tags = await RetryOnceAsync(() => upstream.ListTagsAsync(target, ct), ct).ConfigureAwait(false);
                foreach (var tag in tags.Where(t => entry.Tags.Any(p => TagPattern.Matches(p, t))))
                {
                    await WarmAsync(run, entry.Repository, target, ManifestReference.Parse(tag), ct).ConfigureAwait(false);
                    run.Images++;
                    run.Say($"{entry.Repository}:{tag} warm ({run.BlobsFetched} blobs, {run.BytesFetched:N0} bytes fetched so far)");
                }
            }
            catch (Exception e) when (e is UpstreamException or RegistryException)
            {
                run.Failures.Add($"{entry.Repository}: {e.Message}");
                run.Say($"{entry.Repository}: FAILED: {e.Message}");
                PrefetchFailed(logger, entry.Repository, e.Message);
            }
        }

        var report = new PrefetchReport(run.Images, run.Manifests, run.BlobsFetched, run.BytesFetched, run.Failures);
        PrefetchFinished(logger, report.Images, report.Manifests, report.BlobsFetched, report.BytesFetched, report.Failures.Count);
        return report;
    }

    private async Task WarmAsync(Run run, string repository, UpstreamTarget target, ManifestReference reference, CancellationToken ct)
    {
        var manifest = await RetryOnceAsync(() => manifests.GetAsync(repository, target, reference, withContent: true, ct), ct).ConfigureAwait(false);
        run.Manifests++;
        var parsed = ParsedManifest.Parse(manifest.Bytes!, manifest.MediaType);
        foreach (var child in parsed.Manifests)
        {
            await WarmAsync(run, repository, target, ManifestReference.Parse(child.Digest), ct).ConfigureAwait(false);
        }

        var content = parsed.Layers.Where(l => !l.HasUrls && !MediaTypes.IsNonDistributable(l.MediaType)).ToList();
        if (parsed.Config is { } config)
        {
            content.Add(config);
        }

        foreach (var blob in content.DistinctBy(d => d.Digest))
        {
            if (await blobs.FindAsync(repository, blob.Digest, ct).ConfigureAwait(false) is not null)
            {
                continue;
            }

            var filled = await RetryOnceAsync(() => filler.FillAsync(repository, target, ManifestReference.ParseDigest(blob.Digest), ct), ct).ConfigureAwait(false)
                         ?? Fail.With<BlobInfo>(ErrorKind.Unavailable, $"{blob.Digest} could not be stored (see the fill's log)", ("digest", blob.Digest));
            run.BlobsFetched++;
            run.BytesFetched += filled.Size;
        }
    }

    /// <summary>Runs <paramref name="call"/>; after a 429 it waits the upstream's Retry-After (when short enough) and runs it once more.</summary>
    private async Task<T> RetryOnceAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (RetryAfter(e) is { } wait && wait <= LongestWait)
        {
            RateLimited(logger, wait.TotalSeconds);
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
            return await call().ConfigureAwait(false);
        }
    }

    private static TimeSpan? RetryAfter(Exception e) => e switch
    {
        UpstreamException { Failure: UpstreamFailure.RateLimited } u => u.RetryAfter ?? TimeSpan.FromSeconds(30),
        RegistryException { Kind: ErrorKind.TooManyRequests } r => r.RetryAfter ?? TimeSpan.FromSeconds(30),
        _ => null,
    };

    private sealed class Run(IProgress<string>? progress)
    {
        public int Images;
        public int Manifests;
        public int BlobsFetched;
        public long BytesFetched;
        public List<string> Failures { get; } = [];

        public void Say(string line) => progress?.Report(line);
    }

    [LoggerMessage(571, LogLevel.Information, "Prefetch finished: {Images} images, {Manifests} manifests, {Blobs} blobs fetched ({Bytes} bytes), {Failures} failures")]
    private static partial void PrefetchFinished(ILogger logger, int images, int manifests, int blobs, long bytes, int failures);

    [LoggerMessage(572, LogLevel.Warning, "Prefetch of {Repository} failed: {Reason}")]
    private static partial void PrefetchFailed(ILogger logger, string repository, string reason);

    [LoggerMessage(573, LogLevel.Information, "Prefetch: the upstream is rate limiting; waiting {Seconds} s")]
    private static partial void RateLimited(ILogger logger, double seconds);
}

/// <summary>Tag patterns of Mirror:Prefetch: literal characters, and <c>*</c> for any run of characters.</summary>
internal static class TagPattern
{
    public static bool Matches(string pattern, string tag) => Matches(pattern.AsSpan(), tag.AsSpan());

    private static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> tag)
    {
        while (pattern.Length > 0 && pattern[0] != '*')
        {
            if (tag.Length == 0 || tag[0] != pattern[0])
            {
                return false;
            }

            pattern = pattern[1..];
            tag = tag[1..];
        }

        if (pattern.Length == 0)
        {
            return tag.Length == 0;
        }

        var rest = pattern[1..];
        for (var i = 0; i <= tag.Length; i++)
        {
            if (Matches(rest, tag[i..]))
            {
                return true;
            }
        }

        return false;
    }
}
