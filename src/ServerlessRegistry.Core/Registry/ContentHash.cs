using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Core.Registry;

/// <summary>Digests of stored content, for the rare digest that could not be computed while the content arrived.</summary>
internal static class ContentHash
{
    /// <summary>Range reads kept in flight, so a large blob is hashed at storage speed rather than one round trip per block.</summary>
    private const int ReadsInFlight = 4;

    /// <summary>
    /// Hashes the first <paramref name="size"/> bytes of a committed blob with <paramref name="algorithm"/>, reading
    /// <see cref="ReadsInFlight"/> blocks ahead: memory stays that many blocks whatever the blob's size.
    /// BLOB_UPLOAD_INVALID when the blob is missing or shorter than <paramref name="size"/>.
    /// </summary>
    public static async Task<Digest> OfStoredAsync(IBlobStore blobs, string blobName, long size, DigestAlgorithm algorithm, int blockSize, CancellationToken ct)
    {
        using var hash = ResumableHash.Create(algorithm);
        var reads = new Queue<(Task<byte[]?> Read, int Length)>();
        long requested = 0;
        while (requested < size || reads.Count > 0)
        {
            while (reads.Count < ReadsInFlight && requested < size)
            {
                var length = (int)Math.Min(blockSize, size - requested);
                reads.Enqueue((blobs.ReadRangeAsync(blobName, requested, length, ct), length));
                requested += length;
            }

            var (read, expected) = reads.Dequeue();
            var chunk = await read.ConfigureAwait(false);
            if (chunk is null || chunk.Length != expected)
            {
                Fail.With(ErrorKind.BlobUploadInvalid, "the upload's content is missing; start a new upload");
            }

            hash.Append(chunk);
        }

        return hash.Finish();
    }
}
