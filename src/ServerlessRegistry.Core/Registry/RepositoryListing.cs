using System.Text;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// What a push records about a manifest for listing (written on its manifest row and copied onto its tag rows), so
/// pages read it with the tags instead of opening manifests.
/// </summary>
/// <param name="Size">Bytes a pull fetches: the manifest, its config and layers; for an index, itself plus every child's size known at push.</param>
/// <param name="Platforms">For an index, each child's os/arch[/variant] ("linux/arm64/v8"); for an image, its config's; empty when unknown.</param>
/// <param name="ArtifactType">The effective artifact type (artifactType, else a non-image config media type), or null for a plain image.</param>
/// <param name="Created">The config's <c>created</c>, else the org.opencontainers.image.created annotation.</param>
/// <param name="Info">The org.opencontainers.image.* annotations (description, source, documentation, licenses, title, version, …), falling back to the config labels of the same keys; values cut to 1,000 characters.</param>
internal sealed record ManifestSummary(long Size, IReadOnlyList<string> Platforms, string? ArtifactType, DateTimeOffset? Created, IReadOnlyDictionary<string, string> Info)
{
    public static readonly ManifestSummary Unknown = new(0, [], null, null, new Dictionary<string, string>());
}

/// <summary>A tag with what the repository page shows for it.</summary>
internal sealed record TagListing(string Tag, string Digest, string MediaType, DateTimeOffset? PushedAt, ManifestSummary Summary);

/// <summary>A repository with what the repositories page shows for it (kept on its catalog row, see RepositoryStats).</summary>
internal sealed record RepositoryListingEntry(string Name, int TagCount, long Size, DateTimeOffset? LastPush, string? Description);

/// <summary>One page of repositories, and the name to continue after (null on the last page).</summary>
internal sealed record RepositoryPage(IReadOnlyList<RepositoryListingEntry> Repositories, string? Next);

/// <summary>A manifest as its page shows it: the stored bytes, the summary and the config labels recorded at push.</summary>
internal sealed record ManifestListing(ManifestContent Content, ManifestSummary Summary, IReadOnlyDictionary<string, string> Labels, DateTimeOffset? PushedAt);

/// <summary>
/// Reads for the web interface: every page is a bounded number of storage calls whatever the number of tags.
/// Read-only and thread-safe.
/// </summary>
internal sealed class RepositoryListing(RegistryStorage storage)
{
    /// <summary>The most of a README read.</summary>
    public const int ReadmeLimit = 512 * 1024;

    private const string MarkdownType = "text/markdown";

    /// <summary>
    /// Repositories after <paramref name="after"/> (exclusive) in name order whose name contains <paramref name="filter"/>
    /// (case-insensitive; null for all) and that <paramref name="visible"/> accepts, at most <paramref name="count"/>.
    /// Reads catalog pages until the page is full or the catalog ends.
    /// </summary>
    public async Task<RepositoryPage> ListRepositoriesAsync(string? after, int count, string? filter, Func<string, bool> visible, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var found = new List<RepositoryListingEntry>();
        var query = new RowQuery
        {
            PartitionKey = StorageLayout.CatalogPartition,
            RowKeyFrom = after is null ? "" : StorageLayout.RepositoryKey(after),
            FromExclusive = after is not null,
            Top = 1000,
        };
        // One entry beyond the page says whether a next page exists.
        while (found.Count <= count)
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.CatalogTable, query, ct).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                var name = CatalogRow.FromRow(row).Name;
                if ((filter is null || name.Contains(filter, StringComparison.OrdinalIgnoreCase)) && visible(name))
                {
                    var stats = CatalogStats.FromRow(row);
                    found.Add(new RepositoryListingEntry(name, stats.TagCount, stats.Size, stats.LastPush, stats.Description));
                }
            }

            if (page.Continuation is null)
            {
                break;
            }

            query = query with { Continuation = page.Continuation };
        }

        return found.Count > count ? new RepositoryPage(found[..count], found[count - 1].Name) : new RepositoryPage(found, null);
    }

    /// <summary>Every tag of the repository, newest push first (ties by name), from one paged query of its tag rows. Empty for an unknown repository.</summary>
    public async Task<IReadOnlyList<TagListing>> ListTagsAsync(string repository, CancellationToken ct)
    {
        var rows = await storage.QueryAllAsync(storage.Layout.RepositoriesTable, new RowQuery
        {
            PartitionKey = StorageLayout.RepositoryKey(repository),
            RowKeyFrom = StorageLayout.TagPrefix,
            RowKeyTo = StorageLayout.PrefixEnd(StorageLayout.TagPrefix),
            Select = SummaryProperties.SelectForTags,
        }, int.MaxValue, ct).ConfigureAwait(false);
        return rows.Select(r =>
            {
                var tag = TagRow.FromRow(r);
                return new TagListing(r.RowKey[StorageLayout.TagPrefix.Length..], tag.Digest ?? "", tag.Body.MediaType ?? MediaTypes.OciManifest,
                    tag.PushedAt, SummaryProperties.Read(r));
            })
            .OrderByDescending(t => t.PushedAt ?? DateTimeOffset.MinValue)
            .ThenBy(t => t.Tag, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The manifest by digest with its recorded summary, or null when the repository does not hold it.</summary>
    public async Task<ManifestListing?> GetManifestAsync(string repository, string digest, CancellationToken ct)
    {
        if (Digest.TryParse(digest, out var parsed) != DigestParseResult.Ok)
        {
            return null;
        }

        var row = await storage.GetRepositoryRowAsync(repository, StorageLayout.ManifestKey(parsed.Value), ct).ConfigureAwait(false);
        if (row is null)
        {
            return null;
        }

        var manifest = ManifestRow.FromRow(row);
        var bytes = await ReadManifestAsync(manifest.Body, ct).ConfigureAwait(false);
        if (bytes is null)
        {
            return null;
        }

        var content = new ManifestContent(parsed.Value, manifest.Body.MediaType ?? MediaTypes.OciManifest, manifest.Body.Size, bytes);
        return new ManifestListing(content, SummaryProperties.Read(row), SummaryProperties.ReadLabels(row), manifest.PushedAt);
    }

    /// <summary>
    /// The repository's README: the content of the newest referrer in the repository whose artifact type is
    /// <c>text/markdown</c> (first layer, at most 512 KiB), or null. Costs one query of the repository's referrer rows,
    /// then reads only when one is found.
    /// </summary>
    public async Task<string?> ReadmeAsync(string repository, CancellationToken ct)
    {
        var referrers = await storage.QueryAllAsync(storage.Layout.RepositoriesTable, new RowQuery
        {
            PartitionKey = StorageLayout.RepositoryKey(repository),
            RowKeyFrom = StorageLayout.ReferrerPrefix,
            RowKeyTo = StorageLayout.PrefixEnd(StorageLayout.ReferrerPrefix),
            Where = ReferrerRow.WithArtifactType(MarkdownType),
            Select = ReferrerRow.SelectForListing,
        }, int.MaxValue, ct).ConfigureAwait(false);
        var newest = referrers.MaxBy(r => ReferrerRow.FromRow(r).PushedAt ?? DateTimeOffset.MinValue);
        if (newest is null)
        {
            return null;
        }

        var manifestRow = await storage.GetRepositoryRowAsync(repository, StorageLayout.ManifestKey(StorageLayout.ReferrerDigest(newest.RowKey)), ct).ConfigureAwait(false);
        var manifest = manifestRow is null ? null : ManifestBody.FromRow(manifestRow);
        var bytes = manifest is null ? null : await ReadManifestAsync(manifest, ct).ConfigureAwait(false);
        var layer = bytes is null ? null : FirstLayer(bytes, manifest!.MediaType);
        if (layer is null)
        {
            return null;
        }

        var link = await storage.GetRepositoryRowAsync(repository, StorageLayout.BlobLinkKey(layer.Digest), ct).ConfigureAwait(false);
        if (link is null || BlobLinkRow.FromRow(link).Blob is not { } blob)
        {
            return null;
        }

        var content = await storage.Blobs.ReadRangeAsync(blob, 0, ReadmeLimit, ct).ConfigureAwait(false);
        return content is null ? null : Encoding.UTF8.GetString(content);
    }

    private static Descriptor? FirstLayer(byte[] bytes, string? mediaType)
    {
        try
        {
            return ParsedManifest.Parse(bytes, mediaType).Layers is [var first, ..] ? first : null;
        }
        catch (RegistryException)
        {
            return null; // stored manifests were valid when pushed; this only guards a page against a damaged one
        }
    }

    private async Task<byte[]?> ReadManifestAsync(ManifestBody body, CancellationToken ct) =>
        body.Content ?? (body.Blob is { } blob ? await storage.Blobs.ReadAllAsync(blob, ct).ConfigureAwait(false) : null);
}
