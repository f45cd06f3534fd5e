using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// The mirror's own rows, beside the core's (which hold cached manifests, tags, links and content exactly as pushed ones).
/// </summary>
/// <remarks>
/// <code>
/// Table {prefix}mirror
///     PK hex(repository)   RK "t:{tag}"      tag check (TagCheckRow): Digest (what the upstream answered), CheckedAt.
///                                            A pull by tag within the rule's interval of CheckedAt makes no upstream call.
///     PK hex(repository)   RK "p:{digest}"   last pull of a cached manifest as earlier versions recorded it (PulledAt); read by
///                                            eviction beside the core's pulls table, never written now, deleted with the manifest
///     PK "fills"           RK {digest}       a blob fill in progress (FillClaimRow): Owner, ExpiresAt. Inserted if absent,
///                                            so concurrent misses on any instance start one fill; an expired claim is taken over
///     PK "rules"           RK {name}         a stored cache rule (StoredCacheRule): Local, Upstream, Namespace, Username,
///                                            PasswordSetting (the name of a configuration key, never a secret),
///                                            TagCheckInterval and Timeout (ticks). Written by the admin API, read by every
///                                            instance at most every Mirror:RuleRefreshInterval (CacheRuleSet)
/// </code>
/// Besides the stored rules, nothing here is needed to serve content: losing the table costs upstream calls, never data. When cached manifests were
/// last pulled is the core's (the pulls table in StorageLayout, written by PullRecorder), shared with retention.
/// </remarks>
internal static class MirrorLayout
{
    public const string TagCheckPrefix = "t:";
    public const string FillPartition = "fills";
    public const string RulesPartition = "rules";
    public const string LegacyPulledPrefix = "p:";

    public static string Table(StorageLayout layout) => layout.Prefix + "mirror";

    public static string RepositoryKey(string repository) => StorageLayout.RepositoryKey(repository);
    public static string TagCheckKey(string tag) => TagCheckPrefix + tag;
}

/// <summary>Table mirror, RK "t:{tag}": when the tag was last checked upstream, and the digest it named then.</summary>
internal sealed record TagCheckRow(string? Digest, DateTimeOffset? CheckedAt)
{
    private const string DigestProperty = "Digest";
    private const string CheckedAtProperty = "CheckedAt";

    public static TagCheckRow FromRow(TableRow row) => new(row.GetString(DigestProperty), row.GetDateTime(CheckedAtProperty));

    public TableRow ToRow(string repository, string tag) => new(MirrorLayout.RepositoryKey(repository), MirrorLayout.TagCheckKey(tag))
    {
        [DigestProperty] = Digest,
        [CheckedAtProperty] = CheckedAt,
    };
}

/// <summary>Table mirror, PK "fills", RK {digest}: the instance filling a blob, and when its claim lapses.</summary>
internal sealed record FillClaimRow(string? Owner, DateTimeOffset? ExpiresAt)
{
    private const string OwnerProperty = "Owner";
    private const string ExpiresAtProperty = "ExpiresAt";

    public static FillClaimRow FromRow(TableRow row) => new(row.GetString(OwnerProperty), row.GetDateTime(ExpiresAtProperty));

    public TableRow ToRow(string digest) => new(MirrorLayout.FillPartition, digest)
    {
        [OwnerProperty] = Owner,
        [ExpiresAtProperty] = ExpiresAt,
    };
}
