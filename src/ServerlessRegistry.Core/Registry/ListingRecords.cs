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
/// <param name="Complete">
/// False when some facts could not be recorded: the row predates summaries (Size reads 0), the config was not linked
/// or readable at push (platforms and created unknown), or an index's children were absent or themselves incomplete
/// (their sizes count as 0). Pages show such facts as "not recorded"; garbage collection computes the summary again.
/// </param>
internal sealed record ManifestSummary(long Size, IReadOnlyList<string> Platforms, string? ArtifactType, DateTimeOffset? Created, IReadOnlyDictionary<string, string> Info,
    bool Complete = true)
{
    /// <summary>Nothing recorded (never <see cref="Complete"/>).</summary>
    public static readonly ManifestSummary Unknown = new(0, [], null, null, new Dictionary<string, string>(), Complete: false) { Known = false };

    /// <summary>Whether the row carried a summary at all, so that Size and Platforms mean something (possibly partial: see <see cref="Complete"/>).</summary>
    public bool Known { get; init; } = true;
}

/// <summary>
/// A tag with what the repository page shows for it. <see cref="Summary"/> holds size, platforms, artifact type and
/// completeness; its created time and info only for the newest tag of a listing (the one the page describes the repository by).
/// </summary>
internal sealed record TagListing(string Tag, string Digest, DateTimeOffset? PushedAt, ManifestSummary Summary);

/// <summary>A repository with what the repositories page shows for it (kept on its catalog row, see RepositoryStats).</summary>
internal sealed record RepositoryListingEntry(string Name, int TagCount, long Size, DateTimeOffset? LastPush, string? Description);

/// <summary>
/// One page of repositories, and the name to continue after (null on the last page). A page may hold fewer entries
/// than asked for and still have a <see cref="Next"/>: a listing scans a bounded number of catalog rows per call
/// (<see cref="RepositoryListing.ScanLimit"/>), so when a filter or visibility leaves few matches it stops early.
/// </summary>
internal sealed record RepositoryListingPage(IReadOnlyList<RepositoryListingEntry> Repositories, string? Next);

/// <summary>A manifest as its page shows it: the stored bytes, the summary and the config labels recorded at push.</summary>
internal sealed record ManifestListing(ManifestContent Content, ManifestSummary Summary, IReadOnlyDictionary<string, string> Labels, DateTimeOffset? PushedAt);
