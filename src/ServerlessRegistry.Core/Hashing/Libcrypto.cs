using System.Runtime.InteropServices;

namespace ServerlessRegistry.Core.Hashing;

/// <summary>
/// OpenSSL's low-level SHA-2 entry points, bound at run time. Unlike <c>IncrementalHash</c> (EVP), these keep their
/// state in plain structs we can read and write, which is what makes the hash resumable. Binding through
/// <see cref="NativeLibrary"/> rather than <c>DllImport</c> means a missing library degrades to the managed engine
/// instead of throwing at type load. The library handle is never freed: the pointers live as long as the process.
/// </summary>
internal static unsafe class Libcrypto
{
    // 3 first: it is what current distributions ship; 1.1 has the same functions and struct layouts. The last is the
    // unversioned development symlink: a plain dlopen does not add ".so" to a bare "libcrypto".
    private static readonly string[] Candidates = ["libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so"];

    private static readonly Exports Bound = Bind();

    public static bool IsAvailable => Bound.Available;

    public static delegate* unmanaged<Sha256Ctx*, int> Sha256Init => Bound.Sha256Init;

    public static delegate* unmanaged<Sha256Ctx*, byte*, nuint, int> Sha256Update => Bound.Sha256Update;

    public static delegate* unmanaged<byte*, Sha256Ctx*, int> Sha256Final => Bound.Sha256Final;

    public static delegate* unmanaged<Sha512Ctx*, int> Sha512Init => Bound.Sha512Init;

    public static delegate* unmanaged<Sha512Ctx*, byte*, nuint, int> Sha512Update => Bound.Sha512Update;

    public static delegate* unmanaged<byte*, Sha512Ctx*, int> Sha512Final => Bound.Sha512Final;

    private static Exports Bind()
    {
        foreach (var name in Candidates)
        {
            if (!NativeLibrary.TryLoad(name, out var library))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(library, "SHA256_Init", out var sha256Init)
                && NativeLibrary.TryGetExport(library, "SHA256_Update", out var sha256Update)
                && NativeLibrary.TryGetExport(library, "SHA256_Final", out var sha256Final)
                && NativeLibrary.TryGetExport(library, "SHA512_Init", out var sha512Init)
                && NativeLibrary.TryGetExport(library, "SHA512_Update", out var sha512Update)
                && NativeLibrary.TryGetExport(library, "SHA512_Final", out var sha512Final))
            {
                var exports = new Exports
                {
                    Available = true,
                    Sha256Init = (delegate* unmanaged<Sha256Ctx*, int>)sha256Init,
                    Sha256Update = (delegate* unmanaged<Sha256Ctx*, byte*, nuint, int>)sha256Update,
                    Sha256Final = (delegate* unmanaged<byte*, Sha256Ctx*, int>)sha256Final,
                    Sha512Init = (delegate* unmanaged<Sha512Ctx*, int>)sha512Init,
                    Sha512Update = (delegate* unmanaged<Sha512Ctx*, byte*, nuint, int>)sha512Update,
                    Sha512Final = (delegate* unmanaged<byte*, Sha512Ctx*, int>)sha512Final,
                };
                if (LayoutMatches(exports))
                {
                    return exports;
                }
            }

            NativeLibrary.Free(library);
        }

        return default;
    }

    /// <summary>
    /// Checks the loaded library against the struct layouts we hard-code, so an unexpected build falls back to the
    /// managed engine instead of silently producing wrong digests or overrunning the context memory. Each Init runs
    /// in a larger canary-filled scratch buffer: Init clears exactly its own struct, so a size change shows.
    /// </summary>
    private static bool LayoutMatches(in Exports exports)
    {
        const int Scratch = 512;
        const byte Canary = 0xCC;
        var abc = stackalloc byte[] { (byte)'a', (byte)'b', (byte)'c' };
        var memory = stackalloc byte[Scratch];

        new Span<byte>(memory, Scratch).Fill(Canary);
        var sha256 = (Sha256Ctx*)memory;
        if (exports.Sha256Init(sha256) != 1 || exports.Sha256Update(sha256, abc, 3) != 1
            || sha256->H[0] != 0x6a09e667 || sha256->Nl != 24 || sha256->Nh != 0 || sha256->Num != 3
            || sha256->MdLen != 32 || sha256->Data[0] != 'a' || sha256->Data[2] != 'c'
            || memory[sizeof(Sha256Ctx)] != Canary)
        {
            return false;
        }

        new Span<byte>(memory, Scratch).Fill(Canary);
        var sha512 = (Sha512Ctx*)memory;
        return exports.Sha512Init(sha512) == 1 && exports.Sha512Update(sha512, abc, 3) == 1
            && sha512->H[0] == 0x6a09e667f3bcc908 && sha512->Nl == 24 && sha512->Nh == 0 && sha512->Num == 3
            && sha512->MdLen == 64 && sha512->P[0] == 'a' && sha512->P[2] == 'c'
            && memory[sizeof(Sha512Ctx)] == Canary;
    }

    private struct Exports
    {
        public bool Available;
        public delegate* unmanaged<Sha256Ctx*, int> Sha256Init;
        public delegate* unmanaged<Sha256Ctx*, byte*, nuint, int> Sha256Update;
        public delegate* unmanaged<byte*, Sha256Ctx*, int> Sha256Final;
        public delegate* unmanaged<Sha512Ctx*, int> Sha512Init;
        public delegate* unmanaged<Sha512Ctx*, byte*, nuint, int> Sha512Update;
        public delegate* unmanaged<byte*, Sha512Ctx*, int> Sha512Final;
    }
}

/// <summary>
/// OpenSSL's <c>SHA256_CTX</c> (112 bytes). Nl/Nh are the message length in bits; <see cref="Data"/> holds the
/// pending bytes as copied in (declared <c>uint data[16]</c> in C, but only ever memcpy'd); Num counts them.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Sha256Ctx
{
    public fixed uint H[8];
    public uint Nl;
    public uint Nh;
    public fixed byte Data[64];
    public uint Num;
    public uint MdLen;
}

/// <summary>OpenSSL's <c>SHA512_CTX</c> (216 bytes): Nl/Nh are the 128-bit length in bits; P the pending bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct Sha512Ctx
{
    public fixed ulong H[8];
    public ulong Nl;
    public ulong Nh;
    public fixed byte P[128];
    public uint Num;
    public uint MdLen;
}
