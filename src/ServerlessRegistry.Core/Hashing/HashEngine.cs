using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Hashing;

/// <summary>Which implementation computes the hash. Internal so tests can pin one.</summary>
internal enum HashEngineKind
{
    Native,
    Managed,
}

/// <summary>
/// One SHA-2 computation in progress. Engines only expose their raw state (chaining value, pending bytes,
/// length); <see cref="HashStateFormat"/> owns the portable encoding so both engines read and write the same bytes.
/// </summary>
internal abstract class HashEngine : IDisposable
{
    protected HashEngine(DigestAlgorithm algorithm) => Algorithm = algorithm;

    public DigestAlgorithm Algorithm { get; }

    public abstract long BytesHashed { get; }

    public abstract void Append(ReadOnlySpan<byte> data);

    /// <summary>Writes the digest; the engine is spent afterwards.</summary>
    public abstract void Finish(Span<byte> hash);

    /// <summary>
    /// Copies the chaining value (big-endian words) into <paramref name="chainingValue"/> and the pending bytes into
    /// <paramref name="pending"/> (at least one block long); returns the pending count.
    /// </summary>
    public abstract int Export(Span<byte> chainingValue, Span<byte> pending);

    /// <summary>Replaces the state of a fresh engine with one <see cref="HashStateFormat"/> has validated.</summary>
    public abstract void Import(long bytesHashed, ReadOnlySpan<byte> chainingValue, ReadOnlySpan<byte> pending);

    public virtual void Dispose()
    {
    }

    public static HashEngine Create(DigestAlgorithm algorithm, HashEngineKind kind)
    {
        if (kind == HashEngineKind.Native && !Libcrypto.IsAvailable)
        {
            throw new PlatformNotSupportedException("libcrypto (OpenSSL 1.1 or 3) could not be loaded.");
        }

        return (algorithm, kind) switch
        {
            (DigestAlgorithm.Sha256, HashEngineKind.Native) => new NativeSha256Engine(),
            (DigestAlgorithm.Sha512, HashEngineKind.Native) => new NativeSha512Engine(),
            (DigestAlgorithm.Sha256, HashEngineKind.Managed) => new ManagedSha256Engine(),
            (DigestAlgorithm.Sha512, HashEngineKind.Managed) => new ManagedSha512Engine(),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unsupported digest algorithm."),
        };
    }
}
