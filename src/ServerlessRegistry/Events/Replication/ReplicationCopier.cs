using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events.Replication;

/// <summary>What one tag copy pushed; <see cref="Digest"/> is the tag's manifest here and now at the destination.</summary>
internal sealed record CopyResult(string Digest, int Manifests, int Blobs, long Bytes);

/// <summary>
/// Copies one tag (or one manifest by digest: a referrer) of this registry to a rule's destination: the manifest as
/// stored, for an index every child (all platforms), config and layers, then the referrers of every copied manifest
/// (signatures, SBOMs) with their content, and the tag last. Reads go through the core services and the blob store port, never through HTTP to this registry.
/// </summary>
/// <remarks>
/// Idempotent: what the destination has (a blob HEAD 2xx or 3xx, a manifest HEAD answering the same digest) is not sent again,
/// so a repeated delivery costs a HEAD per manifest and per missing manifest's blob. Digests are checked end to end: the
/// stored bytes against their digest, the destination's Docker-Content-Digest against the source, and a final HEAD of
/// the tag; any mismatch is a <see cref="DeliveryException"/>. Thread-safe; concurrent copies of one tag are harmless.
/// </remarks>
internal sealed class ReplicationCopier(ManifestService manifests, BlobService blobs, ReferrerService referrers, RegistryStorage storage,
    DestinationClient destination, ILogger<ReplicationCopier> logger)
{
    /// <summary>
    /// Copies <paramref name="repository"/>:<paramref name="tag"/> as it is stored now (a tag moved since the event is
    /// copied where it points now, so retries converge on the latest push). Null when the tag is no longer here.
    /// </summary>
    public async Task<CopyResult?> CopyTagAsync(ReplicationRule rule, string repository, string tag, CancellationToken ct)
    {
        var source = await ReadAsync(repository, tag, ct);
        if (source is null)
        {
            ReplicationLog.TagGone(logger, rule.Name, repository, tag);
            return null;
        }

        var run = new Run(rule, repository, rule.DestinationRepository(repository));
        await CopyManifestAsync(run, source, ct);
        // The tag last, so it never names a manifest the destination lacks; not again when it is there already.
        if (await destination.HeadManifestAsync(rule, run.Target, tag, ct) != source.Digest)
        {
            await destination.PutManifestAsync(rule, run.Target, tag, source.Bytes!, source.MediaType, source.Digest, ct);
            run.Manifests++;
            var answered = await destination.HeadManifestAsync(rule, run.Target, tag, ct);
            if (answered != source.Digest)
            {
                throw new DeliveryException($"{rule.Destination.Authority} answers {answered ?? "nothing"} for {run.Target}:{tag} after the copy, expected {source.Digest}");
            }
        }

        ReplicationLog.Copied(logger, rule.Name, repository, tag, source.Digest, rule.Destination.Authority + "/" + run.Target, run.Manifests, run.Blobs, run.Bytes);
        return new CopyResult(source.Digest, run.Manifests, run.Blobs, run.Bytes);
    }

    /// <summary>
    /// Copies a manifest pushed by digest alone (an OCI 1.1 referrer: cosign, notation, oras attach) with its content and
    /// its own referrers, when it has a subject and that subject is at the destination already. Null when there is
    /// nothing to copy: not stored here, no subject (an index's child, which goes with its index's tag), or a subject the
    /// destination lacks (a tag the rule filters out, or one still being copied: that copy lists the subject's referrers
    /// after it has put the subject, so it takes this one along).
    /// </summary>
    public async Task<CopyResult?> CopyReferrerAsync(ReplicationRule rule, string repository, string digest, CancellationToken ct)
    {
        if (await ReadAsync(repository, digest, ct) is not { } source
            || ParsedManifest.Parse(source.Bytes!, source.MediaType).Subject is not { } subject)
        {
            return null;
        }

        if (await destination.HeadManifestAsync(rule, rule.DestinationRepository(repository), subject.Digest, ct) != subject.Digest)
        {
            ReplicationLog.SubjectAbsent(logger, rule.Name, repository, digest, subject.Digest);
            return null;
        }

        return await CopyDigestAsync(rule, repository, source, ct);
    }

    /// <summary>
    /// Copies one manifest by digest (blobs, children, the manifest, its referrers), whatever its subject; checked by a
    /// final HEAD by digest at the destination. Null when it is not stored here.
    /// </summary>
    public async Task<CopyResult?> CopyDigestAsync(ReplicationRule rule, string repository, string digest, CancellationToken ct) =>
        await ReadAsync(repository, digest, ct) is { } source ? await CopyDigestAsync(rule, repository, source, ct) : null;

    private async Task<CopyResult> CopyDigestAsync(ReplicationRule rule, string repository, ManifestContent source, CancellationToken ct)
    {
        var run = new Run(rule, repository, rule.DestinationRepository(repository));
        await CopyManifestAsync(run, source, ct);
        if (run.Manifests > 0)
        {
            var answered = await destination.HeadManifestAsync(rule, run.Target, source.Digest, ct);
            if (answered != source.Digest)
            {
                throw new DeliveryException($"{rule.Destination.Authority} answers {answered ?? "nothing"} for {run.Target}@{source.Digest} after the copy");
            }
        }

        ReplicationLog.CopiedDigest(logger, rule.Name, repository, source.Digest, rule.Destination.Authority + "/" + run.Target, run.Manifests, run.Blobs, run.Bytes);
        return new CopyResult(source.Digest, run.Manifests, run.Blobs, run.Bytes);
    }

    /// <summary>The digests of the manifests that refer to <paramref name="digest"/> here (one query).</summary>
    public async Task<IReadOnlyList<string>> ReferrersAsync(string repository, string digest, CancellationToken ct) =>
        [.. (await referrers.ListAsync(repository, digest, null, ct)).Select(r => r.Digest)];

    /// <summary>The manifest's digest here, without content (one point read); null when the tag or digest is not stored.</summary>
    public async Task<string?> DigestAsync(string repository, string reference, CancellationToken ct)
    {
        try
        {
            return (await manifests.GetAsync(repository, ManifestReference.Parse(reference), withContent: false, ct)).Digest;
        }
        catch (RegistryException e) when (e.Kind == ErrorKind.ManifestUnknown)
        {
            return null;
        }
    }

    /// <summary>Blobs, children, the manifest by digest, then its referrers; each manifest once per run.</summary>
    private async Task CopyManifestAsync(Run run, ManifestContent manifest, CancellationToken ct)
    {
        if (!run.Visited.Add(manifest.Digest))
        {
            return;
        }

        var parsed = ParsedManifest.Parse(manifest.Bytes!, manifest.MediaType);
        var present = await destination.HeadManifestAsync(run.Rule, run.Target, manifest.Digest, ct);
        if (present is not null && present != manifest.Digest)
        {
            throw new DeliveryException($"{run.Rule.Destination.Authority} answers {present} for {run.Target}@{manifest.Digest}");
        }

        if (present is null)
        {
            var content = parsed.Layers.Where(l => !l.HasUrls && !MediaTypes.IsNonDistributable(l.MediaType)).ToList();
            if (parsed.Config is { } config)
            {
                content.Insert(0, config);
            }

            foreach (var blob in content.DistinctBy(d => d.Digest))
            {
                await CopyBlobAsync(run, blob.Digest, ct);
            }
        }

        // Children are walked even when the index is there already: their referrers may be new.
        foreach (var child in parsed.Manifests.DistinctBy(d => d.Digest))
        {
            if (await ReadAsync(run.Repository, child.Digest, ct) is { } childManifest)
            {
                await CopyManifestAsync(run, childManifest, ct);
            }
            else
            {
                ReplicationLog.ChildMissing(logger, run.Rule.Name, run.Repository, manifest.Digest, child.Digest);
            }
        }

        if (present is null)
        {
            await destination.PutManifestAsync(run.Rule, run.Target, manifest.Digest, manifest.Bytes!, manifest.MediaType, manifest.Digest, ct);
            run.Manifests++;
        }

        foreach (var referrer in await referrers.ListAsync(run.Repository, manifest.Digest, null, ct))
        {
            if (await ReadAsync(run.Repository, referrer.Digest, ct) is { } referrerManifest)
            {
                await CopyManifestAsync(run, referrerManifest, ct);
            }
        }
    }

    private async Task CopyBlobAsync(Run run, string digest, CancellationToken ct)
    {
        if (await destination.HasBlobAsync(run.Rule, run.Target, digest, ct))
        {
            return;
        }

        var blob = await blobs.FindAsync(run.Repository, digest, ct)
                   ?? throw new DeliveryException($"blob {digest} of {run.Repository} is not stored here, so it cannot be copied");
        await destination.PushBlobAsync(run.Rule, run.Target, digest, blob.Size, () => new StoredBlobStream(storage.Blobs, blob.BlobName, blob.Size), ct);
        run.Blobs++;
        run.Bytes += blob.Size;
    }

    /// <summary>A stored manifest with its bytes, checked against its digest; null when it is not stored.</summary>
    private async Task<ManifestContent?> ReadAsync(string repository, string reference, CancellationToken ct)
    {
        ManifestContent content;
        try
        {
            content = await manifests.GetAsync(repository, ManifestReference.Parse(reference), withContent: true, ct);
        }
        catch (RegistryException e) when (e.Kind == ErrorKind.ManifestUnknown)
        {
            return null;
        }

        var digest = ManifestReference.ParseDigest(content.Digest);
        if (Digest.Of(digest.Algorithm, content.Bytes).Value != digest.Value)
        {
            throw new DeliveryException($"the stored manifest {repository}@{content.Digest} does not match its digest; it is not copied");
        }

        return content;
    }

    private sealed class Run(ReplicationRule rule, string repository, string target)
    {
        public ReplicationRule Rule { get; } = rule;
        public string Repository { get; } = repository;
        public string Target { get; } = target;
        public HashSet<string> Visited { get; } = new(StringComparer.Ordinal);
        public int Manifests;
        public int Blobs;
        public long Bytes;
    }
}
