using System.Collections.Concurrent;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// Manifests of cached repositories. A digest is served from the cache whenever present. A tag is served from the
/// cache without asking the upstream for the rule's TagCheckInterval after its last check; after that one HEAD
/// (which Docker Hub does not count as a pull) decides whether the manifest must be fetched again. When the upstream
/// is down, slow or rate limiting, a cached tag is served as it is.
/// </summary>
/// <remarks>
/// Cached manifests are stored by the core exactly as pushed ones (same rows, same bytes), only without requiring their
/// content first: that is fetched when a client asks for it. Thread-safe; concurrent misses of one manifest store the same
/// bytes twice at worst (the write is idempotent).
/// </remarks>
internal sealed partial class MirrorManifests(
    RegistryStorage storage, ManifestService manifests, IUpstreamRegistry upstream, PullRecorder pulls, IRegistryEvents events, TimeProvider time,
    ILogger<MirrorManifests> logger)
{
    /// <summary>Past this many remembered tag checks the memory starts over (costing one row read each, not correctness).</summary>
    private const int RememberedChecks = 100_000;

    private readonly string _table = MirrorLayout.Table(storage.Layout);

    /// <summary>
    /// The tag checks this process read or wrote, so that a hit within the interval reads the tag row alone, as a local
    /// pull does. A check made by another instance is found in the row when the tag row names another digest.
    /// </summary>
    private readonly ConcurrentDictionary<(string Repository, string Tag), TagCheckRow> _checks = new();

    /// <summary>The manifest <paramref name="reference"/> names in a cached repository, fetched and stored when needed.</summary>
    public async Task<ManifestContent> GetAsync(string repository, UpstreamTarget target, ManifestReference reference, bool withContent, CancellationToken ct)
    {
        var local = reference.IsDigest ? await FindAsync(repository, reference, withContent, ct).ConfigureAwait(false) : null;
        if (local is not null)
        {
            pulls.Record(repository, local.Digest);
            return local;
        }

        return reference.IsDigest
            ? await FetchAndStoreAsync(repository, target, reference, reference.Value, withContent, ct).ConfigureAwait(false)
            : await GetTagAsync(repository, target, reference, withContent, ct).ConfigureAwait(false);
    }

    private async Task<ManifestContent> GetTagAsync(string repository, UpstreamTarget target, ManifestReference reference, bool withContent, CancellationToken ct)
    {
        var tag = reference.Value;
        var interval = target.Rule.TagCheckInterval;
        if (_checks.TryGetValue((repository, tag), out var known) && time.GetUtcNow() - known.CheckedAt < interval)
        {
            var hit = await FindAsync(repository, reference, withContent, ct).ConfigureAwait(false);
            if (hit is not null && hit.Digest == known.Digest)
            {
                pulls.Record(repository, hit.Digest);
                return hit;
            }
        }

        var findLocal = FindAsync(repository, reference, withContent, ct);
        var readCheck = storage.Metadata.GetAsync(_table, MirrorLayout.RepositoryKey(repository), MirrorLayout.TagCheckKey(tag), ct);
        var (local, checkRow) = (await findLocal.ConfigureAwait(false), await readCheck.ConfigureAwait(false));
        var check = checkRow is null ? null : TagCheckRow.FromRow(checkRow);
        var now = time.GetUtcNow();
        if (local is not null && check is { CheckedAt: { } checkedAt } && check.Digest == local.Digest && now - checkedAt < interval)
        {
            Remember(repository, tag, check);
            pulls.Record(repository, local.Digest);
            return local;
        }

        UpstreamDescriptor? head;
        try
        {
            head = await upstream.HeadManifestAsync(target, tag, ct).ConfigureAwait(false);
        }
        catch (UpstreamException e) when (local is not null)
        {
            return ServeStale(repository, tag, local, e);
        }
        catch (UpstreamException e)
        {
            throw UpstreamRefusal.For(e, target);
        }

        if (head is null && local is not null)
        {
            // Gone upstream: the cache keeps serving what it has (Harbor does the same); checked again after the interval.
            TagGoneUpstream(logger, repository, tag, target.ToString());
        }
        else if (head is null)
        {
            Fail.With(ErrorKind.ManifestUnknown, "manifest unknown to the upstream", ("reference", tag), ("upstream", target.ToString()));
        }

        if (local is not null && (head is null || head.Digest == local.Digest))
        {
            await WriteCheckAsync(repository, tag, local.Digest, now).ConfigureAwait(false);
            pulls.Record(repository, local.Digest);
            return local;
        }

        try
        {
            // Fetch by the digest the HEAD named, so the tag cannot move between the two requests.
            var stored = await FetchAndStoreAsync(repository, target, reference, head!.Digest ?? tag, withContent, ct).ConfigureAwait(false);
            await WriteCheckAsync(repository, tag, stored.Digest, now).ConfigureAwait(false);
            return stored;
        }
        catch (RegistryException e) when (local is not null && e.Kind is ErrorKind.Unavailable or ErrorKind.TooManyRequests)
        {
            return ServeStale(repository, tag, local, e);
        }
        catch (RegistryException e) when (local is not null && e.Kind is ErrorKind.Denied)
        {
            // A policy here refuses the upstream's new digest (an immutable or locked tag, a full quota): the cached copy
            // stays what this registry serves, and is not fetched again until the next check.
            await WriteCheckAsync(repository, tag, local.Digest, now).ConfigureAwait(false);
            return ServeStale(repository, tag, local, e);
        }
    }

    /// <summary>
    /// Fetches <paramref name="upstreamReference"/>, checks the bytes against the digest asked for (or that the upstream
    /// claimed), and stores them under <paramref name="reference"/>. Content that does not match is never stored or served.
    /// </summary>
    private async Task<ManifestContent> FetchAndStoreAsync(string repository, UpstreamTarget target, ManifestReference reference, string upstreamReference, bool withContent, CancellationToken ct)
    {
        UpstreamManifest fetched;
        try
        {
            fetched = await upstream.GetManifestAsync(target, upstreamReference, ct).ConfigureAwait(false)
                      ?? Fail.With<UpstreamManifest>(ErrorKind.ManifestUnknown, "manifest unknown to the upstream", ("reference", reference.Value), ("upstream", target.ToString()));
        }
        catch (UpstreamException e)
        {
            throw UpstreamRefusal.For(e, target);
        }

        var expected = upstreamReference.Contains(':', StringComparison.Ordinal) ? upstreamReference : fetched.Digest;
        var algorithm = Digest.TryParse(expected, out var parsed) == DigestParseResult.Ok ? parsed.Algorithm : DigestAlgorithm.Sha256;
        var actual = Digest.Of(algorithm, fetched.Bytes).Value;
        if (expected is not null && expected != actual)
        {
            IntegrityFailure(logger, repository, upstreamReference, target.ToString(), expected, actual);
            Fail.With(ErrorKind.Unavailable, "the upstream served a manifest that does not match its digest; nothing was stored",
                ("expected", expected), ("actual", actual), ("upstream", target.ToString()));
        }

        var storeAs = reference.IsDigest ? reference : new ManifestReference(reference.Value, null);
        var stored = await manifests.PutAsync(repository, storeAs, fetched.Bytes, fetched.MediaType, [], ct, requireReferences: false).ConfigureAwait(false);
        Cached(logger, repository, reference.Value, actual, target.ToString());
        if (events.Wants(ChangeAction.Fill))
        {
            await events.PublishAsync(
                [new RegistryChange(ChangeAction.Fill, repository, actual, stored.MediaType, stored.Size, reference.IsDigest ? null : reference.Value)],
                ChangeOrigin.Registry("mirror"), ct).ConfigureAwait(false);
        }

        pulls.Record(repository, actual);
        return await manifests.GetAsync(repository, ManifestReference.Parse(actual), withContent, ct).ConfigureAwait(false);
    }

    private async Task<ManifestContent?> FindAsync(string repository, ManifestReference reference, bool withContent, CancellationToken ct)
    {
        try
        {
            return await manifests.GetAsync(repository, reference, withContent, ct).ConfigureAwait(false);
        }
        catch (RegistryException e) when (e.Kind == ErrorKind.ManifestUnknown)
        {
            return null;
        }
    }

    private void Remember(string repository, string tag, TagCheckRow check)
    {
        if (_checks.Count >= RememberedChecks)
        {
            _checks.Clear();
        }

        _checks[(repository, tag)] = check;
    }

    /// <summary>Records the check; a failure to record costs one more HEAD next time, so it never fails the pull.</summary>
    private async Task WriteCheckAsync(string repository, string tag, string digest, DateTimeOffset now)
    {
        Remember(repository, tag, new TagCheckRow(digest, now));
        try
        {
            await storage.Metadata.ExecuteAsync(_table, RowOperation.Upsert(new TagCheckRow(digest, now).ToRow(repository, tag)), CancellationToken.None).ConfigureAwait(false);
        }
        catch (StorageException e)
        {
            CheckNotRecorded(logger, repository, tag, e.Message);
        }
    }

    private ManifestContent ServeStale(string repository, string tag, ManifestContent local, Exception e)
    {
        ServingCachedTag(logger, repository, tag, e.Message);
        pulls.Record(repository, local.Digest);
        return local;
    }

    [LoggerMessage(550, LogLevel.Warning, "Serving the cached {Repository}:{Tag} without checking the upstream: {Reason}")]
    private static partial void ServingCachedTag(ILogger logger, string repository, string tag, string reason);

    [LoggerMessage(551, LogLevel.Information, "{Repository}:{Tag} is gone from {Upstream}; serving the cached copy")]
    private static partial void TagGoneUpstream(ILogger logger, string repository, string tag, string upstream);

    [LoggerMessage(552, LogLevel.Error, "Integrity: {Upstream} answered {Reference} of {Repository} with content of digest {Actual}, not {Expected}; nothing was stored")]
    private static partial void IntegrityFailure(ILogger logger, string repository, string reference, string upstream, string expected, string actual);

    [LoggerMessage(553, LogLevel.Information, "Cached {Repository}:{Reference} ({Digest}) from {Upstream}")]
    private static partial void Cached(ILogger logger, string repository, string reference, string digest, string upstream);

    [LoggerMessage(554, LogLevel.Warning, "Could not record the upstream check of {Repository}:{Tag}: {Reason}")]
    private static partial void CheckNotRecorded(ILogger logger, string repository, string tag, string reason);
}
