using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Hashing;

/// <summary>
/// Holds an OpenSSL context in a pinned-heap array: it never moves, needs no finalizer (nothing leaks if a caller
/// forgets Dispose), and pinning it with <c>fixed</c> around each native call keeps it alive for that call.
/// </summary>
internal abstract unsafe class NativeEngine<TCtx> : HashEngine
    where TCtx : unmanaged
{
    // Cache-line aligned, as malloc'd contexts would be at least 16-aligned; costs at most 63 bytes.
    private const int Alignment = 64;
    private readonly int _offset;
    private byte[]? _memory;

    protected NativeEngine(DigestAlgorithm algorithm)
        : base(algorithm)
    {
        _memory = GC.AllocateArray<byte>(sizeof(TCtx) + Alignment - 1, pinned: true);
        var address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_memory));
        _offset = (int)(-address & (Alignment - 1));
    }

    protected ref TCtx Ctx
    {
        get
        {
            ObjectDisposedException.ThrowIf(_memory is null, this);
            return ref Unsafe.As<byte, TCtx>(ref _memory[_offset]);
        }
    }

    public override void Dispose()
    {
        _memory = null;
        base.Dispose();
    }

    protected static void Check(int result, string function)
    {
        if (result != 1)
        {
            throw new CryptographicException($"libcrypto {function} failed.");
        }
    }
}

/// <summary>SHA-256 through libcrypto; converts its <see cref="Sha256Ctx"/> to and from the portable state.</summary>
internal sealed unsafe class NativeSha256Engine : NativeEngine<Sha256Ctx>
{
    public NativeSha256Engine()
        : base(DigestAlgorithm.Sha256)
    {
        fixed (Sha256Ctx* ctx = &Ctx)
        {
            Check(Libcrypto.Sha256Init(ctx), "SHA256_Init");
        }
    }

    public override long BytesHashed
    {
        get
        {
            ref var ctx = ref Ctx;
            return (long)((((ulong)ctx.Nh << 32) | ctx.Nl) >> 3);
        }
    }

    public override void Append(ReadOnlySpan<byte> data)
    {
        fixed (Sha256Ctx* ctx = &Ctx)
        fixed (byte* bytes = data)
        {
            Check(Libcrypto.Sha256Update(ctx, bytes, (nuint)data.Length), "SHA256_Update");
        }
    }

    public override void Finish(Span<byte> hash)
    {
        fixed (Sha256Ctx* ctx = &Ctx)
        fixed (byte* output = hash)
        {
            Check(Libcrypto.Sha256Final(output, ctx), "SHA256_Final");
        }
    }

    public override int Export(Span<byte> chainingValue, Span<byte> pending)
    {
        ref var ctx = ref Ctx;
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(chainingValue[(i * 4)..], ctx.H[i]);
        }

        // Slicing the 64-byte buffer bounds-checks num, should the context ever be corrupt.
        var count = (int)ctx.Num;
        MemoryMarshal.CreateReadOnlySpan(ref ctx.Data[0], 64)[..count].CopyTo(pending);
        return count;
    }

    public override void Import(long bytesHashed, ReadOnlySpan<byte> chainingValue, ReadOnlySpan<byte> pending)
    {
        fixed (Sha256Ctx* ctx = &Ctx)
        {
            // Init sets md_len (which Final dispatches on) and zeroes the rest; then overwrite the running state.
            Check(Libcrypto.Sha256Init(ctx), "SHA256_Init");
            for (var i = 0; i < 8; i++)
            {
                ctx->H[i] = BinaryPrimitives.ReadUInt32BigEndian(chainingValue[(i * 4)..]);
            }

            var bits = (ulong)bytesHashed << 3;
            ctx->Nl = (uint)bits;
            ctx->Nh = (uint)(bits >> 32);
            pending.CopyTo(new Span<byte>(ctx->Data, 64));
            ctx->Num = (uint)pending.Length;
        }
    }
}

/// <summary>SHA-512 through libcrypto; converts its <see cref="Sha512Ctx"/> to and from the portable state.</summary>
internal sealed unsafe class NativeSha512Engine : NativeEngine<Sha512Ctx>
{
    public NativeSha512Engine()
        : base(DigestAlgorithm.Sha512)
    {
        fixed (Sha512Ctx* ctx = &Ctx)
        {
            Check(Libcrypto.Sha512Init(ctx), "SHA512_Init");
        }
    }

    public override long BytesHashed
    {
        get
        {
            ref var ctx = ref Ctx;
            return (long)((ctx.Nh << 61) | (ctx.Nl >> 3));
        }
    }

    public override void Append(ReadOnlySpan<byte> data)
    {
        fixed (Sha512Ctx* ctx = &Ctx)
        fixed (byte* bytes = data)
        {
            Check(Libcrypto.Sha512Update(ctx, bytes, (nuint)data.Length), "SHA512_Update");
        }
    }

    public override void Finish(Span<byte> hash)
    {
        fixed (Sha512Ctx* ctx = &Ctx)
        fixed (byte* output = hash)
        {
            Check(Libcrypto.Sha512Final(output, ctx), "SHA512_Final");
        }
    }

    public override int Export(Span<byte> chainingValue, Span<byte> pending)
    {
        ref var ctx = ref Ctx;
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(chainingValue[(i * 8)..], ctx.H[i]);
        }

        var count = (int)ctx.Num;
        MemoryMarshal.CreateReadOnlySpan(ref ctx.P[0], 128)[..count].CopyTo(pending);
        return count;
    }

    public override void Import(long bytesHashed, ReadOnlySpan<byte> chainingValue, ReadOnlySpan<byte> pending)
    {
        fixed (Sha512Ctx* ctx = &Ctx)
        {
            Check(Libcrypto.Sha512Init(ctx), "SHA512_Init");
            for (var i = 0; i < 8; i++)
            {
                ctx->H[i] = BinaryPrimitives.ReadUInt64BigEndian(chainingValue[(i * 8)..]);
            }

            ctx->Nl = (ulong)bytesHashed << 3;
            ctx->Nh = (ulong)bytesHashed >> 61;
            pending.CopyTo(new Span<byte>(ctx->P, 128));
            ctx->Num = (uint)pending.Length;
        }
    }
}
