namespace ServerlessRegistry.Core.Primitives;

/// <summary>The digest algorithms this registry can compute.</summary>
public enum DigestAlgorithm
{
    Sha256,
    Sha512,
}

/// <summary>
/// A content digest <c>algorithm:encoded</c> of a supported algorithm, in canonical form (lower-case hex of the
/// algorithm's exact length). Parsing tells a malformed string from a well-formed one of an unsupported algorithm.
/// </summary>
public readonly record struct Digest
{
    private Digest(DigestAlgorithm algorithm, string value)
    {
        Algorithm = algorithm;
        Value = value;
    }

    public DigestAlgorithm Algorithm { get; }

    /// <summary>The whole digest string, e.g. <c>sha256:9f86…</c>.</summary>
    public string Value { get; }

    /// <summary>The hex part after the colon.</summary>
    public string Hex => Value[(Value.IndexOf(':', StringComparison.Ordinal) + 1)..];

    public override string ToString() => Value;

    public static string Prefix(DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha512 ? "sha512" : "sha256";

    public static int HexLength(DigestAlgorithm algorithm) => algorithm == DigestAlgorithm.Sha512 ? 128 : 64;

    /// <summary>Builds a digest from a finished hash.</summary>
    public static Digest FromHash(DigestAlgorithm algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Prefix(algorithm) + ":" + Convert.ToHexStringLower(hash));

    /// <summary>The digest of bytes held in memory (a manifest), computed with <paramref name="algorithm"/>.</summary>
    public static Digest Of(DigestAlgorithm algorithm, ReadOnlySpan<byte> bytes) => FromHash(algorithm,
        algorithm == DigestAlgorithm.Sha512 ? System.Security.Cryptography.SHA512.HashData(bytes) : System.Security.Cryptography.SHA256.HashData(bytes));

    /// <summary>Parses a digest; see <see cref="DigestParseResult"/> for the ways it can fail.</summary>
    public static DigestParseResult TryParse(string? text, out Digest digest)
    {
        digest = default;
        if (string.IsNullOrEmpty(text))
        {
            return DigestParseResult.Malformed;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == text.Length - 1)
        {
            return DigestParseResult.Malformed;
        }

        var algorithm = text.AsSpan(0, colon);
        var encoded = text.AsSpan(colon + 1);
        if (!IsAlgorithmComponent(algorithm) || !IsEncoded(encoded))
        {
            return DigestParseResult.Malformed;
        }

        DigestAlgorithm alg;
        if (algorithm.SequenceEqual("sha256"))
        {
            alg = DigestAlgorithm.Sha256;
        }
        else if (algorithm.SequenceEqual("sha512"))
        {
            alg = DigestAlgorithm.Sha512;
        }
        else
        {
            return DigestParseResult.UnsupportedAlgorithm;
        }

        // Registered algorithms fix the encoding: lower-case hex of one exact length.
        if (encoded.Length != HexLength(alg) || !IsLowerHex(encoded))
        {
            return DigestParseResult.Malformed;
        }

        digest = new Digest(alg, text);
        return DigestParseResult.Ok;
    }

    /// <summary>Parses an algorithm name as given in <c>digest-algorithm=</c>.</summary>
    public static bool TryParseAlgorithm(string? name, out DigestAlgorithm algorithm)
    {
        algorithm = name switch { "sha512" => DigestAlgorithm.Sha512, _ => DigestAlgorithm.Sha256 };
        return name is "sha256" or "sha512";
    }

    // algorithm-component ::= [a-z0-9]+, joined by one of [+._-]
    private static bool IsAlgorithmComponent(ReadOnlySpan<char> s)
    {
        var previousWasSeparator = true;
        foreach (var c in s)
        {
            var isSeparator = c is '+' or '.' or '_' or '-';
            if (isSeparator)
            {
                if (previousWasSeparator)
                {
                    return false;
                }
            }
            else if (!char.IsAsciiDigit(c) && !char.IsAsciiLetterLower(c))
            {
                return false;
            }

            previousWasSeparator = isSeparator;
        }

        return !previousWasSeparator;
    }

    // encoded ::= [a-zA-Z0-9=_-]+
    private static bool IsEncoded(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('=' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLowerHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>How parsing a digest ended.</summary>
public enum DigestParseResult
{
    Ok,
    Malformed,
    UnsupportedAlgorithm,
}
