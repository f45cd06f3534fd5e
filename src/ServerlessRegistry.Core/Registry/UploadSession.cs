using System.Buffers.Binary;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// An upload's saved state, as one row of the uploads table. Written only under the row's ETag, so the row is
/// the commit point of every PATCH: staged blocks that no row names are garbage.
/// </summary>
internal sealed class UploadSession
{
    /// <summary>Binary properties hold 64 KiB: 8 bytes a PATCH.</summary>
    public const int MaxSegments = 8000;

    public required string Id { get; init; }
    public required string Repository { get; init; }
    public required DigestAlgorithm Algorithm { get; init; }
    public long Offset { get; init; }
    public byte[] Segments { get; init; } = [];
    public byte[]? HashState { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? ETag { get; init; }

    /// <summary>Who opened the session (the caller's subject when auth is on, else null); only they may continue it.</summary>
    public string? Owner { get; init; }

    /// <summary>
    /// The content's digest in an algorithm other than <see cref="Algorithm"/>, computed by a completion that failed
    /// (<c>algorithm:hex</c>), so a retry with a wrong digest is refused without reading the content again. A PATCH
    /// writes the row without it.
    /// </summary>
    public string? OtherDigest { get; init; }

    public int SegmentCount => Segments.Length / 8;

    public string BlobName => StorageLayout.DataBlob(Id);

    public int BlockCount
    {
        get
        {
            var total = 0;
            for (var i = 0; i < Segments.Length; i += 8)
            {
                total += BinaryPrimitives.ReadInt32BigEndian(Segments.AsSpan(i + 4));
            }

            return total;
        }
    }

    /// <summary>Every committed block id, in blob order.</summary>
    public List<string> BlockIds(uint? extraNonce = null, int extraBlocks = 0)
    {
        var ids = new List<string>();
        var index = 0;
        for (var i = 0; i < Segments.Length; i += 8)
        {
            var nonce = BinaryPrimitives.ReadUInt32BigEndian(Segments.AsSpan(i));
            var count = BinaryPrimitives.ReadInt32BigEndian(Segments.AsSpan(i + 4));
            for (var b = 0; b < count; b++)
            {
                ids.Add(StorageLayout.BlockId(nonce, index++));
            }
        }

        for (var b = 0; b < extraBlocks; b++)
        {
            ids.Add(StorageLayout.BlockId(extraNonce!.Value, index++));
        }

        return ids;
    }

    public static byte[] AppendSegment(byte[] segments, uint nonce, int blocks)
    {
        var result = new byte[segments.Length + 8];
        segments.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(segments.Length), nonce);
        BinaryPrimitives.WriteInt32BigEndian(result.AsSpan(segments.Length + 4), blocks);
        return result;
    }

    public TableRow ToRow(DateTimeOffset now) =>
        new UploadSessionRow(Repository, Digest.Prefix(Algorithm), Offset, Segments, HashState, CreatedAt, now, Owner, OtherDigest).ToRow(Id);

    public static UploadSession FromRow(TableRow row)
    {
        var stored = UploadSessionRow.FromRow(row);
        return new()
        {
            Id = row.PartitionKey,
            Repository = stored.Repository ?? "",
            Algorithm = stored.Algorithm == "sha512" ? DigestAlgorithm.Sha512 : DigestAlgorithm.Sha256,
            Offset = stored.Offset,
            Segments = stored.Segments ?? [],
            HashState = stored.HashState,
            CreatedAt = stored.CreatedAt ?? DateTimeOffset.MinValue,
            ETag = row.ETag,
            Owner = stored.Owner,
            OtherDigest = stored.OtherDigest,
        };
    }

    /// <summary>This session as it is, remembering <paramref name="digest"/> of its content.</summary>
    public UploadSession WithOtherDigest(Digest digest) => new()
    {
        Id = Id,
        Repository = Repository,
        Algorithm = Algorithm,
        Offset = Offset,
        Segments = Segments,
        HashState = HashState,
        CreatedAt = CreatedAt,
        ETag = ETag,
        Owner = Owner,
        OtherDigest = digest.Value,
    };
}

/// <summary>What a client is told about an upload: where it is and how many bytes it holds.</summary>
internal sealed record UploadStatus(string Repository, string Id, long Offset);

/// <summary>A blob as a repository sees it.</summary>
internal sealed record BlobInfo(string Digest, long Size, string BlobName);

/// <summary>An inclusive byte range from a Content-Range header.</summary>
internal readonly record struct ChunkRange(long Start, long End)
{
    public long Length => End - Start + 1;
}
