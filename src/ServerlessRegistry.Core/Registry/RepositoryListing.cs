using System.Text;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Reads for the web interface: every page is a bounded number of storage calls whatever the number of tags.
/// Read-only and thread-safe.
/// </summary>
internal sealed class RepositoryListing(RegistryStorage storage)
{
    /// <summary>The most of a README read.</summary>
    public const int ReadmeLimit = 512 * 1024;

    /// <summary>The most catalog rows one repositories page scans, so a filter that matches little never reads the whole catalog.</summary>
    public const int ScanLimit = 5_000;

    private const string MarkdownType = "text/markdown";

    /// <summary>
    /// Repositories after <paramref name="after"/> (exclusive) in name order whose name contains <paramref name="filter"/>
    /// (case-insensitive; null for all) and that <paramref name="visible"/> accepts, at most <paramref name="count"/>.
    /// Reads catalog pages until the page is full, the catalog ends, or <paramref name="scanLimit"/> rows (default
    /// <see cref="ScanLimit"/>) were scanned: then <see cref="RepositoryListingPage.Next"/> is the last name scanned and the
    /// page may hold fewer than <paramref name="count"/> entries (even none); the next call continues after it.
    /// Read-only.
    /// </summary>
    public async Task<RepositoryListingPage> ListRepositoriesAsync(string? after, int count, string? filter, Func<string, bool> visible, CancellationToken ct,
        int scanLimit = ScanLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scanLimit, 1);
        var found = new List<RepositoryListingEntry>();
        var scanned = 0;
        var query = new RowQuery
        {
            PartitionKey = StorageLayout.CatalogPartition,
            RowKeyFrom = after is null ? "" : StorageLayout.RepositoryKey(after),
            FromExclusive = after is not null,
            Top = Math.Min(1000, scanLimit),
        };
        // One entry beyond the page says whether a next page exists.
        while (true)
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.CatalogTable, query, ct).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                var name = CatalogRow.FromRow(row).Name;
                scanned++;
                if ((filter is null || name.Contains(filter, StringComparison.OrdinalIgnoreCase)) && visible(name))
                {
                    var stats = CatalogStats.FromRow(row);
                    found.Add(new RepositoryListingEntry(name, stats.TagCount, stats.Size, stats.LastPush, stats.Description));
                    if (found.Count > count)
                    {
                        return new RepositoryListingPage(found[..count], found[count - 1].Name);
                    }
                }

                if (scanned >= scanLimit)
                {
                    // Stopped early: more rows may follow, and the next call resumes after this one.
                    return page.Continuation is null && row == page.Rows[^1]
                        ? new RepositoryListingPage(found, null)
                        : new RepositoryListingPage(found, name);
                }
            }

            if (page.Continuation is null)
            {
                return new RepositoryListingPage(found, null);
            }

            query = query with { Continuation = page.Continuation, Top = Math.Min(1000, scanLimit - scanned) };
        }
    }

    /// <summary>
    /// Every tag of the repository, newest push first (ties by name), from one paged query of its tag rows (three
    /// properties each), then one point read of the newest tag for its full summary. Empty for an unknown repository.
    /// </summary>
    public async Task<IReadOnlyList<TagListing>> ListTagsAsync(string repository, CancellationToken ct)
    {
        var rows = await storage.QueryAllAsync(storage.Layout.RepositoriesTable, new RowQuery
        {
            PartitionKey = StorageLayout.RepositoryKey(repository),
            RowKeyFrom = StorageLayout.TagPrefix,
            RowKeyTo = StorageLayout.PrefixEnd(StorageLayout.TagPrefix),
            Select = SummaryProperties.SelectForTags,
        }, int.MaxValue, ct).ConfigureAwait(false);
        var tags = rows.Select(r =>
            {
                var tag = TagRow.FromRow(r);
                return new TagListing(r.RowKey[StorageLayout.TagPrefix.Length..], tag.Digest ?? "", tag.PushedAt, SummaryProperties.ReadListing(r));
            })
            .OrderByDescending(t => t.PushedAt ?? DateTimeOffset.MinValue)
            .ThenBy(t => t.Tag, StringComparer.Ordinal)
            .ToList();
        if (tags.Count > 0 &&
            await storage.GetRepositoryRowAsync(repository, StorageLayout.TagKey(tags[0].Tag), ct).ConfigureAwait(false) is { } newest)
        {
            // The repository's description, links and created time come from its newest tag: one point read, not a column of every row.
            tags[0] = tags[0] with { Summary = SummaryProperties.Read(newest) };
        }

        return tags;
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
