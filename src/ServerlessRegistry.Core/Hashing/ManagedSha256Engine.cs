using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Hashing;

/// <summary>
/// FIPS 180-4 SHA-256 in plain managed code: the fallback when libcrypto is missing, and the reference the native
/// engine's state layout is tested against. Correctness and a zero-allocation hot path matter more here than speed.
/// </summary>
internal sealed unsafe class ManagedSha256Engine : ManagedShaEngine
{
    private const int BlockSize = 64;

    private readonly uint[] _h = new uint[8];

    public ManagedSha256Engine()
        : base(DigestAlgorithm.Sha256, BlockSize) => Import(0, HashStateFormat.InitialValue(Algorithm), default);

    protected override void Compress(ReadOnlySpan<byte> blocks) => Compress(_h, blocks);

    protected override void WriteChainingValue(Span<byte> destination)
    {
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(i * sizeof(uint))..], _h[i]);
        }
    }

    protected override void ReadChainingValue(ReadOnlySpan<byte> source)
    {
        for (var i = 0; i < 8; i++)
        {
            _h[i] = BinaryPrimitives.ReadUInt32BigEndian(source[(i * sizeof(uint))..]);
        }
    }

    // Pointers rather than spans inside the rounds: bounds checks there cost a large share of the throughput.
    private static void Compress(Span<uint> state, ReadOnlySpan<byte> blocks)
    {
        if (blocks.IsEmpty)
        {
            return;
        }

        var w = stackalloc uint[64];
        uint h0 = state[0], h1 = state[1], h2 = state[2], h3 = state[3];
        uint h4 = state[4], h5 = state[5], h6 = state[6], h7 = state[7];
        fixed (byte* first = blocks)
        fixed (uint* k = K)
        {
            for (byte* block = first, end = first + blocks.Length; block < end; block += BlockSize)
            {
                for (var t = 0; t < 16; t++)
                {
                    w[t] = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<uint>(block + (t * sizeof(uint))));
                }

                for (var t = 16; t < 64; t++)
                {
                    var s0 = Rotr(w[t - 15], 7) ^ Rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
                    var s1 = Rotr(w[t - 2], 17) ^ Rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
                    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
                }

                uint a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
                for (var t = 0; t < 64; t++)
                {
                    var t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[t] + w[t];
                    var t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
                    h = g;
                    g = f;
                    f = e;
                    e = d + t1;
                    d = c;
                    c = b;
                    b = a;
                    a = t1 + t2;
                }

                h0 += a;
                h1 += b;
                h2 += c;
                h3 += d;
                h4 += e;
                h5 += f;
                h6 += g;
                h7 += h;
            }
        }

        state[0] = h0;
        state[1] = h1;
        state[2] = h2;
        state[3] = h3;
        state[4] = h4;
        state[5] = h5;
        state[6] = h6;
        state[7] = h7;
    }

    private static uint Rotr(uint x, int n) => BitOperations.RotateRight(x, n);

    // An array, not a ReadOnlySpan over constants: unoptimized code (Debug, tier 0) allocates in CreateSpan per call.
    private static readonly uint[] K =
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
}
