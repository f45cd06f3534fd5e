using Microsoft.Extensions.Logging;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Manifests and tags. A push writes the manifest, its tags and its referrer row in one batch in the
/// repository's partition, so a tag never points at a manifest that is not there. Each push records the manifest's
/// listing summary on its manifest and tag rows; after every push and delete the repository's catalog statistics are
/// recounted off the request path (<see cref="RepositoryStats"/>, when given). Write policies (<see cref="IWriteGuard"/>)
/// are asked before anything is written.
/// </summary>
internal sealed partial class ManifestService(RegistryStorage storage, CatalogService catalog, TimeProvider time, RepositoryStats? stats = null,
    ILogger<ManifestService>? logger = null, IWriteGuard? guard = null)
{
    private readonly ContentIndex _index = new(storage, time);
    private readonly ManifestSummaries _summaries = new(storage, logger);
    private readonly IWriteGuard _guard = guard ?? IWriteGuard.None;

    /// <summary>Batches hold 100 rows: the manifest, its referrer row, and the tags.</summary>
    public const int MaxTagsPerPush = 98;

    /// <summary>
    /// Inline manifest bytes the tag rows of one push may copy in total. A batch carries at most 4 MiB and binary
    /// properties travel base64-encoded (4/3), so 1 MiB of copies plus the manifest and referrer rows always fits.
    /// </summary>
    public const int TagCopyBudget = 1024 * 1024;

    /// <summary>
    /// Validates and stores a manifest under its digest and tags. Idempotent for the same bytes; re-pushing a
    /// tag moves it. Referenced config and layers must be linked in the repository, unless
    /// <paramref name="requireReferences"/> is false: a cache stores a manifest before the content it names, which it
    /// fetches when that content is first asked for.
    /// </summary>
    public async Task<ManifestPutResult> PutAsync(string repository, ManifestReference reference, byte[] bytes, string? contentType, IReadOnlyList<string> extraTags, CancellationToken ct,
        bool requireReferences = true)
    {
        var algorithm = reference.Digest?.Algorithm ?? DigestAlgorithm.Sha256;
        var digest = Digest.Of(algorithm, bytes);
        if (reference.IsDigest && reference.Digest!.Value.Value != digest.Value)
        {
            Fail.With(ErrorKind.DigestInvalid, "the manifest does not match the digest in the URL", ("expected", reference.Value), ("actual", digest.Value));
        }

        var tags = (reference.IsDigest ? extraTags : [reference.Value, .. extraTags]).Distinct(StringComparer.Ordinal).ToList();
        if (tags.Count > MaxTagsPerPush)
        {
            Fail.With(ErrorKind.TagInvalid, $"at most {MaxTagsPerPush} tags per push");
        }

        foreach (var tag in tags.Where(t => !Names.IsValidTag(t)))
        {
            Fail.With(ErrorKind.TagInvalid, "invalid tag", ("tag", tag));
        }

        var manifest = ParsedManifest.Parse(bytes, contentType);
        // Without required references (a cache) the config is usually not linked yet: its facts stay unknown.
        var configLink = requireReferences ? await CheckReferencesAsync(repository, manifest, ct).ConfigureAwait(false) : null;
        var (summary, labels) = await _summaries.ComputeAsync(repository, manifest, bytes, configLink, ct).ConfigureAwait(false);
        // Refused tag changes are refused before anything is charged or stored; the write goes on the ETags checked.
        var checkedTags = await _guard.GuardsTagsAsync(repository, deleting: false, ct).ConfigureAwait(false)
            ? await CheckTagsAsync(repository, digest.Value, tags, ct).ConfigureAwait(false)
            : null;

        await _guard.ChargeAsync(repository, digest.Value, bytes.Length, ct).ConfigureAwait(false);

        var body = bytes.Length <= StorageLayout.InlineManifestLimit
            ? new ManifestBody(manifest.MediaType, bytes.Length, bytes, null)
            : new ManifestBody(manifest.MediaType, bytes.Length, null, await _index.StoreManifestAsync(digest, bytes, manifest.MediaType, ct).ConfigureAwait(false));

        var partition = StorageLayout.RepositoryKey(repository);
        var now = time.GetUtcNow();
        var manifestRow = new ManifestRow(body, manifest.Subject?.Digest, manifest.EffectiveArtifactType, now).ToRow(partition, digest.Value);
        SummaryProperties.Write(manifestRow, summary);
        SummaryProperties.WriteLabels(manifestRow, labels);
        var rows = new List<TableRow> { manifestRow };
        // Tag rows copy the manifest so a pull by tag is one read; past the budget they name the manifest row only
        // (a pull by such a tag reads two rows), so any number of tags up to the batch's row limit fits.
        var tagBody = body.Content is not null && (long)bytes.Length * tags.Count > TagCopyBudget
            ? body with { Content = null }
            : body;
        foreach (var tag in tags)
        {
            var tagRow = new TagRow(digest.Value, tagBody, now).ToRow(partition, tag);
            SummaryProperties.Write(tagRow, summary);
            rows.Add(tagRow);
        }

        if (manifest.Subject is { } subject)
        {
            // A string property holds 32K characters; larger annotations are read from the manifest when listed.
            var referrer = new ReferrerRow(manifest.MediaType, bytes.Length, manifest.EffectiveArtifactType,
                manifest.AnnotationsJson is { Length: <= 30_000 } a ? a : null, manifest.AnnotationsJson is { Length: > 30_000 }, now);
            rows.Add(referrer.ToRow(partition, subject.Digest, digest.Value));
        }

        // Listed only once the manifest is stored: a failed push leaves no empty repository in the catalog. A crash in
        // between leaves the repository unlisted until its next push; garbage collection walks the repository table, not the catalog.
        await WriteRowsAsync(repository, digest.Value, rows, tags, checkedTags, ct).ConfigureAwait(false);
        await catalog.EnsureListedAsync(repository, ct).ConfigureAwait(false);
        stats?.Changed(repository);
        return new ManifestPutResult(digest.Value, manifest.Subject?.Digest, tags, manifest.MediaType, bytes.Length);
    }

    /// <summary>
    /// Reads a manifest by tag or digest: one point read when it is stored inline, two when it is a blob.
    /// With <paramref name="withContent"/> false (HEAD) it never reads content.
    /// </summary>
    public async Task<ManifestContent> GetAsync(string repository, ManifestReference reference, bool withContent, CancellationToken ct)
    {
        var key = reference.IsDigest ? StorageLayout.ManifestKey(reference.Value) : StorageLayout.TagKey(reference.Value);
        var row = await storage.GetRepositoryRowAsync(repository, key, ct).ConfigureAwait(false)
                  ?? Fail.With<TableRow>(ErrorKind.ManifestUnknown, "manifest unknown", ("reference", reference.Value));
        var digest = reference.IsDigest ? reference.Value : TagRow.FromRow(row).Digest ?? "";
        var body = ManifestBody.FromRow(row);
        if (withContent && body.Content is null && body.Blob is null)
        {
            // A tag row that names its manifest without a copy (see TagCopyBudget).
            row = await storage.GetRepositoryRowAsync(repository, StorageLayout.ManifestKey(digest), ct).ConfigureAwait(false)
                  ?? Fail.With<TableRow>(ErrorKind.ManifestUnknown, "manifest unknown", ("reference", reference.Value));
            body = ManifestBody.FromRow(row);
        }

        var bytes = body.Content;
        if (withContent && bytes is null)
        {
            bytes = await storage.Blobs.ReadAllAsync(body.Blob ?? "", ct).ConfigureAwait(false)
                    ?? Fail.With<byte[]>(ErrorKind.ManifestUnknown, "manifest content is missing", ("reference", reference.Value));
        }

        return new ManifestContent(digest, body.MediaType ?? MediaTypes.OciManifest, body.Size, withContent ? bytes : null);
    }

    /// <summary>Checks (and touches) the links of config and layers; returns the config's link row, which names its blob.</summary>
    private async Task<TableRow?> CheckReferencesAsync(string repository, ParsedManifest manifest, CancellationToken ct)
    {
        TableRow? configLink = null;
        // Index children may be absent (sparse indexes are allowed); config and layers must be here.
        var required = manifest.Layers.Where(l => !l.HasUrls && !MediaTypes.IsNonDistributable(l.MediaType))
            .Select(l => l.Digest).Distinct(StringComparer.Ordinal).ToList();
        if (manifest.Config is { } config && !required.Contains(config.Digest))
        {
            required.Add(config.Digest);
        }

        foreach (var chunk in required.Chunk(32))
        {
            var found = await Task.WhenAll(chunk.Select(d => storage.GetRepositoryRowAsync(repository, StorageLayout.BlobLinkKey(d), ct))).ConfigureAwait(false);
            for (var i = 0; i < chunk.Length; i++)
            {
                _ = found[i] ?? Fail.With<TableRow>(ErrorKind.ManifestBlobUnknown, "blob unknown to registry", ("digest", chunk[i]));
                configLink = chunk[i] == manifest.Config?.Digest ? found[i] : configLink;
            }

            await Task.WhenAll(found.Select(link => TouchLinkAsync(link!, ct))).ConfigureAwait(false);
        }

        return configLink;
    }

    /// <summary>
    /// The push side of the GC protocol for links: a link older than <see cref="GcProtocol.TouchInterval"/>
    /// gets a new LinkedAt on the ETag read before the manifest row that needs it is written. A sweep deletes links
    /// only on the ETag it read, so either this touch fails (the link is gone: MANIFEST_BLOB_UNKNOWN, the client
    /// uploads again) or the sweep's delete does. Fresher links are safe without a write.
    /// </summary>
    private async Task TouchLinkAsync(TableRow link, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (now - (BlobLinkRow.FromRow(link).LinkedAt ?? DateTimeOffset.MinValue) < GcProtocol.TouchInterval)
        {
            return;
        }

        BlobLinkRow.Touch(link, now);
        try
        {
            await storage.Metadata.ExecuteAsync(storage.Layout.RepositoriesTable, RowOperation.Replace(link, link.ETag ?? "*"), ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            // Re-linked by an upload (fine: fresh) or deleted by a sweep (the manifest must not reference it).
            var again = await storage.Metadata.GetAsync(storage.Layout.RepositoriesTable, link.PartitionKey, link.RowKey, ct).ConfigureAwait(false);
            if (again is null || now - (BlobLinkRow.FromRow(again).LinkedAt ?? DateTimeOffset.MinValue) >= GcProtocol.TouchInterval)
            {
                Fail.With(ErrorKind.ManifestBlobUnknown, "blob unknown to registry", ("digest", link.RowKey[StorageLayout.BlobLinkPrefix.Length..]));
            }
        }
    }
}
