using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Tests.Hashing;

/// <summary>Shared parameters: tests take <c>bool native</c> because the engine enum is internal.</summary>
internal static class HashTestData
{
    public static TheoryData<DigestAlgorithm, bool> AlgorithmsAndEngines => new()
    {
        { DigestAlgorithm.Sha256, true },
        { DigestAlgorithm.Sha256, false },
        { DigestAlgorithm.Sha512, true },
        { DigestAlgorithm.Sha512, false },
    };

    public static HashEngineKind Kind(bool native) => native ? HashEngineKind.Native : HashEngineKind.Managed;

    public static ResumableHash Create(DigestAlgorithm algorithm, bool native) =>
        ResumableHash.Create(algorithm, Kind(native));

    public static ResumableHash Restore(byte[] state, bool native) => ResumableHash.Restore(state, Kind(native));

    public static byte[] Reference(DigestAlgorithm algorithm, ReadOnlySpan<byte> data) =>
        algorithm == DigestAlgorithm.Sha512
            ? System.Security.Cryptography.SHA512.HashData(data)
            : System.Security.Cryptography.SHA256.HashData(data);

    public static Digest ReferenceDigest(DigestAlgorithm algorithm, ReadOnlySpan<byte> data) =>
        Digest.FromHash(algorithm, Reference(algorithm, data));

    public static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
