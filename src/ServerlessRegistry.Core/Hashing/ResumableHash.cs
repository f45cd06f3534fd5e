using System.Diagnostics.CodeAnalysis;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Hashing;

/// <summary>
/// An incremental SHA-256 or SHA-512 whose state can be saved between requests and restored later, possibly on
/// another machine, so a chunked upload is hashed as it streams and never re-read to verify its digest.
/// </summary>
/// <remarks>
/// <para>
/// The resumption contract is <see cref="SaveState"/> and <see cref="Restore(ReadOnlySpan{byte})"/>: the saved
/// bytes are a small, versioned, engine-independent encoding (at most 202 bytes), and restoring them continues the
/// hash exactly where it was saved. Restoring validates the bytes and throws <see cref="FormatException"/> on anything malformed or
/// inconsistent, since the state comes back from storage.
/// </para>
/// <para>
/// Hashing runs in OpenSSL's libcrypto when it can be loaded (<see cref="IsNative"/>), else in managed code; both
/// produce identical digests and identical saved states. Instances are not thread-safe.
/// </para>
/// </remarks>
internal sealed class ResumableHash : IDisposable
{
    private HashEngine? _engine;
    private long _finalBytesHashed;
    private bool _finished;

    private ResumableHash(HashEngine engine)
    {
        _engine = engine;
        Algorithm = engine.Algorithm;
    }

    /// <summary>True when hashing runs in libcrypto; false when it falls back to the slower managed engine.</summary>
    public static bool IsNative => Libcrypto.IsAvailable;

    public DigestAlgorithm Algorithm { get; }

    /// <summary>How many bytes have been appended since the hash was created, across restores.</summary>
    public long BytesHashed => _engine?.BytesHashed ?? _finalBytesHashed;

    private static HashEngineKind DefaultKind => IsNative ? HashEngineKind.Native : HashEngineKind.Managed;

    /// <summary>Starts hashing an empty message.</summary>
    public static ResumableHash Create(DigestAlgorithm algorithm) => Create(algorithm, DefaultKind);

    /// <summary>Continues a hash from a state produced by <see cref="SaveState"/>.</summary>
    /// <exception cref="FormatException">The state is malformed, of an unknown version, or inconsistent.</exception>
    public static ResumableHash Restore(ReadOnlySpan<byte> state) => Restore(state, DefaultKind);

    internal static ResumableHash Create(DigestAlgorithm algorithm, HashEngineKind kind) =>
        new(HashEngine.Create(algorithm, kind));

    internal static ResumableHash Restore(ReadOnlySpan<byte> state, HashEngineKind kind)
    {
        var parsed = HashStateFormat.Parse(state);
        var engine = HashEngine.Create(parsed.Algorithm, kind);
        engine.Import(parsed.BytesHashed, parsed.ChainingValue, parsed.Pending);
        return new ResumableHash(engine);
    }

    /// <summary>Hashes more of the message. Does not allocate.</summary>
    /// <exception cref="InvalidOperationException">
    /// The hash was finished, or the message would exceed the algorithm's length limit.
    /// </exception>
    /// <exception cref="ObjectDisposedException">The hash was disposed.</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        var engine = Running();
        if (data.Length > HashStateFormat.MaxBytes(Algorithm) - engine.BytesHashed)
        {
            ThrowTooLong();
        }

        engine.Append(data);
    }

    /// <summary>
    /// Returns the portable state to hand to <see cref="Restore(ReadOnlySpan{byte})"/> later. The running hash is not
    /// disturbed and can keep being appended to.
    /// </summary>
    public byte[] SaveState()
    {
        var engine = Running();
        Span<byte> chainingValue = stackalloc byte[HashStateFormat.ChainingSize(Algorithm)];
        Span<byte> pending = stackalloc byte[HashStateFormat.BlockSize(Algorithm)];
        var count = engine.Export(chainingValue, pending);
        return HashStateFormat.Write(Algorithm, engine.BytesHashed, chainingValue, pending[..count]);
    }

    /// <summary>Completes the hash. Afterwards the instance only answers <see cref="BytesHashed"/>.</summary>
    /// <exception cref="InvalidOperationException">The hash was already finished.</exception>
    public Digest Finish()
    {
        var engine = Running();
        Span<byte> hash = stackalloc byte[HashStateFormat.ChainingSize(Algorithm)];
        _finalBytesHashed = engine.BytesHashed;
        engine.Finish(hash);
        _finished = true;
        Release();
        return Digest.FromHash(Algorithm, hash);
    }

    /// <summary>Releases the native context. Idempotent.</summary>
    public void Dispose()
    {
        if (_engine is not null)
        {
            _finalBytesHashed = _engine.BytesHashed;
            Release();
        }
    }

    private void Release()
    {
        _engine?.Dispose();
        _engine = null;
    }

    private HashEngine Running()
    {
        if (_engine is null)
        {
            ThrowNotRunning();
        }

        return _engine;
    }

    [DoesNotReturn]
    private void ThrowNotRunning()
    {
        if (_finished)
        {
            throw new InvalidOperationException("The hash was already finished.");
        }

        throw new ObjectDisposedException(nameof(ResumableHash));
    }

    [DoesNotReturn]
    private static void ThrowTooLong() =>
        throw new InvalidOperationException("The message would exceed the length the algorithm can hash.");
}
