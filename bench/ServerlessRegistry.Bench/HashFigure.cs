using System.Diagnostics;
using System.Security.Cryptography;
using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;
using static ServerlessRegistry.Bench.BenchReport;

namespace ServerlessRegistry.Bench;

/// <summary>
/// Figure 6: the registry's resumable SHA-256, with its state saved and restored at every chunk boundary as
/// between two PATCH requests, against IncrementalHash over the same buffer. Interleaved; best of three.
/// </summary>
internal static class HashFigure
{
    public static Task RunAsync(BenchContext ctx)
    {
        var o = ctx.Options;
        var buffer = OciClient.RandomBytes(Math.Min(o.HashBytes, 64L * 1024 * 1024));
        var rounds = (int)Math.Max(1, o.HashBytes / buffer.Length);
        var chunk = Math.Min(o.ChunkSize, buffer.Length);
        double resumable = double.MaxValue, incremental = double.MaxValue;
        string? a = null, b = null;
        for (var r = 0; r < 3; r++)
        {
            var watch = Stopwatch.StartNew();
            a = Resumable(buffer, rounds, chunk);
            resumable = Math.Min(resumable, watch.Elapsed.TotalSeconds);
            watch.Restart();
            b = Incremental(buffer, rounds, chunk);
            incremental = Math.Min(incremental, watch.Elapsed.TotalSeconds);
        }

        if (a != b)
        {
            throw new InvalidOperationException($"The resumable hash disagrees with IncrementalHash: {a} vs {b}");
        }

        var mib = (double)buffer.Length * rounds / Stats.MiB;
        var ratio = incremental / resumable;
        ctx.Report.Raw($"SHA-256 over {mib:F0} MiB in {chunk / Stats.MiB:F0} MiB requests (best of 3): resumable ({(ResumableHash.IsNative ? "libcrypto" : "managed")}, save + restore per request) {Fmt(mib / resumable, 0)} MiB/s, IncrementalHash {Fmt(mib / incremental, 0)} MiB/s");
        ctx.Report.Add(new FigureRow(6, "Resumable SHA-256 (state saved per request) vs IncrementalHash", $"{Fmt(ratio)}×", "≥ 0.8×", ratio >= 0.8));
        return Task.CompletedTask;
    }

    private static string Resumable(byte[] buffer, int rounds, int chunk)
    {
        byte[]? state = null;
        for (var r = 0; r < rounds; r++)
        {
            for (var offset = 0; offset < buffer.Length; offset += chunk)
            {
                // A new request: restore what the last one saved, hash its bytes, save again.
                using var hash = state is null ? ResumableHash.Create(DigestAlgorithm.Sha256) : ResumableHash.Restore(state);
                hash.Append(buffer.AsSpan(offset, Math.Min(chunk, buffer.Length - offset)));
                state = hash.SaveState();
            }
        }

        using var last = ResumableHash.Restore(state!);
        return last.Finish().Value;
    }

    private static string Incremental(byte[] buffer, int rounds, int chunk)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (var r = 0; r < rounds; r++)
        {
            for (var offset = 0; offset < buffer.Length; offset += chunk)
            {
                hash.AppendData(buffer.AsSpan(offset, Math.Min(chunk, buffer.Length - offset)));
            }
        }

        return "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
