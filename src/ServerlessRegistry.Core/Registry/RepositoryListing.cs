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
internal sealed class RepositoryListing
{
    /// <summary>
    /// Repositories after <paramref name="after"/> (exclusive) in name order whose name contains <paramref name="filter"/>
    /// (case-insensitive; null for all) and that <paramref name="visible"/> accepts, at most <paramref name="count"/>.
    /// Reads catalog pages until the page is full or the catalog ends.
    /// </summary>
    public Task<RepositoryPage> ListRepositoriesAsync(string? after, int count, string? filter, Func<string, bool> visible, CancellationToken ct) =>
        throw new NotImplementedException();

    /// <summary>Every tag of the repository, newest push first (ties by name), from one paged query of its tag rows. Empty for an unknown repository.</summary>
    public Task<IReadOnlyList<TagListing>> ListTagsAsync(string repository, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>The manifest by digest with its recorded summary, or null when the repository does not hold it.</summary>
    public Task<ManifestListing?> GetManifestAsync(string repository, string digest, CancellationToken ct) => throw new NotImplementedException();

    /// <summary>
    /// The repository's README: the content of the newest referrer in the repository whose artifact type is
    /// <c>text/markdown</c> (first layer, at most 512 KiB), or null. Costs one query of the repository's referrer rows,
    /// then reads only when one is found.
    /// </summary>
    public Task<string?> ReadmeAsync(string repository, CancellationToken ct) => throw new NotImplementedException();
}
