using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Core.Registry;

/// <summary>Digests of stored content, for the rare digest that could not be computed while the content arrived.</summary>
internal static class ContentHash
{
    /// <summary>
    /// Hashes the first <paramref name="size"/> bytes of a committed blob with <paramref name="algorithm"/>, reading
    /// one block at a time: memory stays one block whatever the blob's size. BLOB_UPLOAD_INVALID when the blob is
    /// missing or shorter than <paramref name="size"/>.
    /// </summary>
    public static async Task<Digest> OfStoredAsync(IBlobStore blobs, string blobName, long size, DigestAlgorithm algorithm, int blockSize, CancellationToken ct)
    {
        using var hash = ResumableHash.Create(algorithm);
        long offset = 0;
        while (offset < size)
        {
            var length = (int)Math.Min(blockSize, size - offset);
            var chunk = await blobs.ReadRangeAsync(blobName, offset, length, ct).ConfigureAwait(false);
            if (chunk is null || chunk.Length == 0)
            {
                Fail.With(ErrorKind.BlobUploadInvalid, "the upload's content is missing; start a new upload");
            }

            hash.Append(chunk);
            offset += chunk.Length;
        }

        return hash.Finish();
    }
}
