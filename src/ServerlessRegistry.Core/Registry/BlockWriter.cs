using System.Buffers;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Streams a request body into staged blocks while hashing it. Memory is bounded by
/// (blocks in flight + 1) × block size whatever the body's length; the hash sees every byte exactly once,
/// in order, on the reading thread, while that block and earlier ones upload. Block size and parallelism are
/// chosen by the benchmarks (bench/RESULTS.md; the reasons are in StorageLayout's remarks).
/// </summary>
internal static class BlockWriter
{
    /// <summary>The bytes and blocks one body produced.</summary>
    public readonly record struct Written(long Bytes, int Blocks);

    /// <param name="maxBytes">Fail with SIZE_INVALID once the body exceeds this many bytes (null: no cap).</param>
    public static async Task<Written> WriteAsync(
        IBlobStore store, string blobName, uint nonce, int firstIndex, Stream body, ResumableHash hash,
        RegistryOptions options, long? maxBytes, CancellationToken ct)
    {
        var blockSize = options.BlockSize;
        var inFlight = new Queue<(Task Task, byte[] Buffer)>();
        long bytes = 0;
        var blocks = 0;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(blockSize);
                int filled;
                try
                {
                    filled = await body.ReadAtLeastAsync(buffer.AsMemory(0, blockSize), blockSize, throwOnEndOfStream: false, ct).ConfigureAwait(false);
                }
                catch
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    throw;
                }

                if (filled == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    break;
                }

                bytes += filled;
                if (bytes > maxBytes)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    Fail.With(ErrorKind.SizeInvalid, "the body is longer than declared");
                }

                // Start the Put Block first and hash while it sends: both only read the buffer, and the hash then
                // costs no upload latency. It is queued before hashing so a failure still waits for it.
                var id = StorageLayout.BlockId(nonce, firstIndex + blocks);
                blocks++;
                inFlight.Enqueue((store.StageBlockAsync(blobName, id, buffer.AsMemory(0, filled), ct), buffer));
                hash.Append(buffer.AsSpan(0, filled));
                if (inFlight.Count >= options.BlocksInFlight)
                {
                    await CompleteOldestAsync(inFlight).ConfigureAwait(false);
                }

                if (filled < blockSize)
                {
                    break;
                }
            }

            while (inFlight.Count > 0)
            {
                await CompleteOldestAsync(inFlight).ConfigureAwait(false);
            }

            return new Written(bytes, blocks);
        }
        catch
        {
            // Let every outstanding Put Block finish before its buffer goes back to the pool.
            while (inFlight.Count > 0)
            {
                try
                {
                    await CompleteOldestAsync(inFlight).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // The first failure is the one rethrown.
                }
            }

            throw;
        }
    }

    private static async Task CompleteOldestAsync(Queue<(Task Task, byte[] Buffer)> inFlight)
    {
        var (task, buffer) = inFlight.Dequeue();
        try
        {
            await task.ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
