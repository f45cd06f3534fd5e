using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Registry;

/// <summary>The &lt;reference&gt; of a manifest URL: a tag, or a digest (anything with a colon).</summary>
internal readonly record struct ManifestReference(string Value, Digest? Digest)
{
    public bool IsDigest => Digest is not null;

    /// <summary>Parses a reference; a malformed digest or tag is refused with a 400 code.</summary>
    public static ManifestReference Parse(string value)
    {
        if (value.Contains(':', StringComparison.Ordinal))
        {
            return new ManifestReference(value, ParseDigest(value));
        }

        if (!Names.IsValidTag(value))
        {
            Fail.With(ErrorKind.TagInvalid, "invalid tag", ("tag", value));
        }

        return new ManifestReference(value, null);
    }

    /// <summary>
    /// Parses a reference for a read. A reference that is neither a valid tag nor a valid digest cannot name a stored
    /// manifest, so a pull answers MANIFEST_UNKNOWN (404) for it, as distribution and zot do; only writes refuse it as
    /// malformed.
    /// </summary>
    public static ManifestReference ParseForRead(string value)
    {
        var isDigest = value.Contains(':', StringComparison.Ordinal);
        Primitives.Digest digest = default;
        if (isDigest ? Primitives.Digest.TryParse(value, out digest) != DigestParseResult.Ok : !Names.IsValidTag(value))
        {
            Fail.With(ErrorKind.ManifestUnknown, "manifest unknown", ("reference", value));
        }

        return new ManifestReference(value, isDigest ? digest : null);
    }

    /// <summary>Parses a digest from a URL or query; malformed or unsupported → DIGEST_INVALID (400).</summary>
    public static Digest ParseDigest(string? value) => Primitives.Digest.TryParse(value, out Digest digest) switch
    {
        DigestParseResult.Ok => digest,
        DigestParseResult.UnsupportedAlgorithm => Fail.With<Digest>(ErrorKind.DigestInvalid, "unsupported digest algorithm", ("digest", value)),
        _ => Fail.With<Digest>(ErrorKind.DigestInvalid, "invalid digest", ("digest", value)),
    };
}
