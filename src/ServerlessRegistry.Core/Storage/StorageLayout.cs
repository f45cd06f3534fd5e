using System.Buffers.Binary;
using System.Text;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Storage;

/// <summary>
/// Where everything lives. This is the only place that knows blob names, table names and key formats.
/// </summary>
/// <remarks>
/// <code>
/// Blob container  {prefix}                          (default prefix "registry")
/// ├── data/{uploadId}                  layer, config or blob content. An upload stages its blocks here and
/// │                                    the final PUT commits them in place: no copy, no re-read.
/// └── manifests/{alg}/{hex}            manifests over the inline threshold, content-addressed, shared by repositories
///
/// Table {prefix}uploads   PK {uploadId}                RK ""                      upload session (UploadSessionRow)
///     Repository, Algorithm, Offset (Int64), Segments (Binary: per PATCH a 4-byte nonce and a 4-byte block count),
///     HashState (Binary), CreatedAt, UpdatedAt, Owner (when auth is on: "token:{name}/{Id}" of an access token, else the subject)
///                         PK "owner:{sha256hex(owner)}" RK {uploadId}      open-upload index of one caller (OpenUploadIndexRow): CreatedAt.
///     Written before the session row, deleted after it; counting a caller's open uploads reads this one partition.
///     An index row whose session is gone is removed by upload expiry once older than an upload may live.
/// Table {prefix}blobs     PK {digest}                  RK ""                      global blob index, dedup (BlobIndexRow)
///     Blob (physical name), Size (Int64), CreatedAt, TouchedAt (a push reused it; see GarbageCollection.md)
///     Large manifests are indexed here too, so every physical blob is named by exactly one index row.
/// Table {prefix}repos     PK hex(repository)           one partition per repository, so its writes batch atomically
///     RK "b:{digest}"               blob link        Blob, Size, LinkedAt (BlobLinkRow)
///     RK "m:{digest}"               manifest         MediaType, Size, Content (Binary, inline) | Blob, Subject,
///                                                    ArtifactType, PushedAt (ManifestRow; the first four are its
///                                                    ManifestBody), the listing summary and Labels (below)
///     RK "t:{tag}"                  tag              Digest, PushedAt, MediaType, Size, Content | Blob (TagRow: a copy of the manifest
///                                                    row's body, so a pull by tag is one point read; an inline body
///                                                    is not copied when a push's copies would pass 1 MiB, see
///                                                    ManifestService.TagCopyBudget: such a pull reads the "m:" row too),
///                                                    and a copy of the listing summary
///         listing summary (SummaryProperties, written at push by ManifestSummaries on "m:" and every "t:" row, so the
///         repository page reads tag rows only, never Content): TotalSize (Int64: manifest + config +
///         layers; an index: itself + each child's TotalSize at push), Platforms ("linux/amd64, linux/arm64/v8"),
///         ArtifactType, Created, Info (JSON object of org.opencontainers.image.* annotations, else config labels; values
///         ≤ 1,000 characters, ≤ 8,000 in all), SummaryComplete, and Listing ("{TotalSize}|{1|0 complete}|{ArtifactType}|
///         {platforms, comma-joined}": what the tag table shows, so listing every tag selects Digest, PushedAt and Listing
///         only; the newest tag's row is then read whole). Labels (JSON, config labels, "m:" row only, omitted over 30,000
///         characters). Rows written before summaries lack TotalSize and read as unknown.
///     RK "r:{subject}:{digest}"     referrer         MediaType, Size, ArtifactType, Annotations (JSON text) or
///                                                    AnnotationsElsewhere (Boolean: too long, read the manifest), PushedAt (ReferrerRow)
/// Table {prefix}catalog   PK "repositories"            RK hex(repository)         Name (CatalogRow), and statistics for the
///     repositories page (CatalogStats): TagCount (Int32), Size (Int64, logical: every link and manifest at full size, as
///     UsageReport counts), LastPush, Description (the newest tag's org.opencontainers.image.description). Listing
///     inserts only when absent; RepositoryStats recounts after each push and delete, garbage collection after a run;
///     both write on the ETag read before counting.
/// Table {prefix}pulls     PK hex(repository)           RK {digest}                when a manifest was last pulled (PulledRow): PulledAt.
///     Written by PullRecorder at most once a day per manifest, off the request path, on a GET by tag or digest; read by the
///     mirror's eviction and by retention (a manifest without one counts from its push). Losing a write ages a manifest by a day.
/// Table {prefix}auth      private to the registry, like everything here (never public)
///     PK "keys"    RK "active"   the registry's token signing key (SigningKeyRow): Kid, Key (Binary, PKCS#8 RSA), CreatedAt;
///                                written once with insert-if-absent, so racing instances converge on one key
///     PK "tokens"  RK {name}     access token (AccessTokenRow): Id (changes on re-create), Hash (Binary, SHA-256 of the secret),
///                                Repositories (JSON array of patterns), Actions, ExpiresAt, CreatedAt. Revoke deletes the row.
///     PK "dataprotection" RK "key-{guid}" | "element-{guid}"   the web interface's data-protection key ring (DataProtectionKeyRow):
///                                Xml (the key's XML element; not encrypted at rest, the table is private), CreatedAt.
///                                Insert-only; every instance reads the whole partition (session cookies, anti-forgery, sign-in state).
/// </code>
/// <para>Rows: each entity above has one type in Storage/Rows that alone knows its property names (FromRow, ToRow);
/// everything else reads and writes rows through it. Dates are DateTimeOffset, sizes Int64.</para>
/// <para>Keys: repository names contain '/', which table keys forbid, so they are hex-encoded (two lower-case hex
/// digits per byte). That keeps ordinal order equal to the names' byte order, which the catalog's paging needs.
/// Tags and digests use only characters keys allow, and "t:" + tag keeps the spec's lexical order.</para>
/// <para>Write order (a crash leaves at worst an orphan, never a reference to missing content):
/// blocks → commit → index row → link row; manifest blob → manifest, tag and referrer rows in one batch → catalog row;
/// tag rows are removed before the manifest row they copy. Garbage collection deletes in the reverse order of
/// references (manifest rows → links → index row → blob), each row on the ETag it read; pushes touch the index
/// row and stale links on the ETag they read before relying on them. The protocol and its proof are in
/// GarbageCollection.md beside this file.</para>
/// <para>Block ids: base64 of 8 bytes, a PATCH's random nonce then the block's index in the blob. Every PATCH
/// stages under its own nonce, so two racing PATCHes on one session never overwrite each other's blocks; the
/// session row (written under its ETag) records which nonce won.</para>
/// <para>Performance choices (measured by scripts/bench.sh; numbers in bench/RESULTS.md):
/// uploads stage 4 MiB blocks with 4 Put Block calls in flight per request (RegistryOptions), so an upload holds
/// at most 20 MiB whatever the layer's size and a docker-style 1 GiB PATCH keeps storage as busy as a raw
/// parallel upload; each block is hashed while it sends. Manifests up to <see cref="InlineManifestLimit"/> live in
/// their rows and tag rows copy them, so a manifest GET is one point read (two above the limit) and a blob GET is one
/// (the link row) plus a locally signed SAS. Nothing by-digest is cached in the process: one instance cannot see
/// another's delete, the reads it would save are single point reads, and a serverless instance is short-lived.
/// Nothing touches storage at start-up (clients, container and tables are created lazily), so a cold start costs what
/// an empty ASP.NET Core app costs.</para>
/// </remarks>
public sealed class StorageLayout
{
    /// <summary>Manifests up to this size are stored inside their table rows (a binary property holds 64 KiB).</summary>
    public const int InlineManifestLimit = 60 * 1024;

    public const string CatalogPartition = "repositories";
    public const string BlobLinkPrefix = "b:";
    public const string ManifestPrefix = "m:";
    public const string TagPrefix = "t:";
    public const string ReferrerPrefix = "r:";

    /// <param name="prefix">Lower-case letters and digits, 1–40 characters, starting with a letter.</param>
    public StorageLayout(string prefix = "registry")
    {
        if (prefix.Length is 0 or > 40 || !char.IsAsciiLetterLower(prefix[0]) ||
            !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException("The storage prefix must be 1-40 lower-case letters or digits, starting with a letter.", nameof(prefix));
        }

        Prefix = prefix;
    }

    public string Prefix { get; }

    public string Container => Prefix;
    public string UploadsTable => Prefix + "uploads";
    public string BlobIndexTable => Prefix + "blobs";
    public string RepositoriesTable => Prefix + "repos";
    public string CatalogTable => Prefix + "catalog";
    public string AuthTable => Prefix + "auth";
    public string PullsTable => Prefix + "pulls";

    public const string UploadOwnerPrefix = "owner:";

    /// <summary>The open-upload index partition of one caller. Owners are opaque; null and "" are the anonymous caller.</summary>
    public static string UploadOwnerKey(string? owner) =>
        UploadOwnerPrefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(owner ?? "")));

    /// <summary>Where blob content lives: one blob per upload, named by its upload id.</summary>
    public const string DataPrefix = "data/";

    /// <summary>Where manifests over the inline threshold live, content-addressed.</summary>
    public const string ManifestBlobPrefix = "manifests/";

    public static string DataBlob(string uploadId) => DataPrefix + uploadId;

    public static string ManifestBlob(Digest digest) =>
        ManifestBlobPrefix + Digest.Prefix(digest.Algorithm) + "/" + digest.Hex;

    public static string RepositoryKey(string repository) => Convert.ToHexStringLower(Encoding.UTF8.GetBytes(repository));

    public static string RepositoryFromKey(string key) => Encoding.UTF8.GetString(Convert.FromHexString(key));

    public static string BlobLinkKey(string digest) => BlobLinkPrefix + digest;
    public static string ManifestKey(string digest) => ManifestPrefix + digest;
    public static string TagKey(string tag) => TagPrefix + tag;
    public static string ReferrerKey(string subject, string digest) => ReferrerPrefix + subject + ":" + digest;
    public static string ReferrersOf(string subject) => ReferrerPrefix + subject + ":";

    /// <summary>The referrer's own digest in a referrer key: digests hold exactly one ':', so it follows the subject's.</summary>
    public static string ReferrerDigest(string referrerKey)
    {
        var subjectColon = referrerKey.IndexOf(':', ReferrerPrefix.Length);
        return referrerKey[(referrerKey.IndexOf(':', subjectColon + 1) + 1)..];
    }

    /// <summary>The smallest key greater than every key that starts with <paramref name="prefix"/>.</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    /// <summary>A block id: base64 of the PATCH nonce and the block's index, big-endian.</summary>
    public static string BlockId(uint nonce, int index)
    {
        Span<byte> raw = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(raw, nonce);
        BinaryPrimitives.WriteInt32BigEndian(raw[4..], index);
        return Convert.ToBase64String(raw);
    }
}
