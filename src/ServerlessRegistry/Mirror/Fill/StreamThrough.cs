using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Mirror.Upstream;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// An upstream that serves a blob's bytes itself: they pass to the client at the upstream's speed, hashed on the way;
/// the client's last read is held back until the digest verifies, and on a mismatch the response is aborted (the
/// client's read fails instead of returning wrong bytes) and nothing is stored.
/// </summary>
/// <remarks>
/// <para>Storing runs beside the client's stream (<see cref="InlineStore"/>), never in its way: when storage keeps up,
/// the blob is committed from this single read; when it falls behind, the inline store is abandoned and, once the
/// client's stream has ended, the blob is filled by reading the upstream again (<c>refill</c>), inside the same
/// <see cref="FillJobs"/> job and under the same claim, so there is still one fill per digest.</para>
/// <para>A client that leaves does not stop the fill: the job reads on for the inline store (then waiting for storage,
/// as nobody waits for the bytes), or goes straight to the re-read when the inline store was already abandoned.</para>
/// <para>Only the caller that wins the fill claim stores; the others stream through, verified the same way.
/// Thread-safe: each call owns its request and stream.</para>
/// </remarks>
internal sealed class StreamThrough(FillClaims claims, RegistryStorage storage, BlobService blobs, RegistryOptions options, ILogger<StreamThrough> logger)
{
    /// <summary>
    /// The most bytes one upstream read takes (and so the most held back from the client): large enough that a fast
    /// upstream costs few writes to the client, small beside a block so the client is never far behind the upstream.
    /// </summary>
    internal const int ReadSize = 256 * 1024;

    /// <summary>
    /// Streams <paramref name="blob"/> to <paramref name="client"/> (headers already set) and disposes it. With a
    /// <paramref name="refill"/> (this is the digest's fill job) it claims the fill and stores the blob, re-reading it
    /// through <paramref name="refill"/> when the inline store is abandoned. <paramref name="released"/> is called once
    /// the client's response is finished, aborted or abandoned by the client; the context is not touched afterwards.
    /// </summary>
    public async Task RunAsync(HttpContext client, Action released, UpstreamBlob blob, string repository, Digest digest, string upstreamName,
        Func<CancellationToken, Task>? refill, CancellationToken ct)
    {
        using var owned = blob;
        var response = blob.Response!;
        var length = response.Content.Headers.ContentLength;
        using var feed = new ClientFeed(client, ReadSize, released, () => FillLog.ClientLeft(logger, digest.Value));
        var claim = refill is null ? null : await claims.TryClaimAsync(digest.Value, ct).ConfigureAwait(false);
        try
        {
            // A fill that finished since this request looked: link that copy, and only pass the bytes on.
            var store = claim is not null && await blobs.MountAsync(repository, digest.Value, ct).ConfigureAwait(false) is null;
            await using var inline = store ? InlineStore.Start(storage.Blobs, options, digest.Algorithm, length, ct) : null;
            if (store)
            {
                FillLog.Started(logger, repository, digest.Value, upstreamName, "stream-through");
            }

            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            var (actual, bytes) = await PumpAsync(body, feed, inline, digest.Algorithm, ct).ConfigureAwait(false);
            if (actual is not null && (actual != digest || (length is { } expected && bytes != expected)))
            {
                feed.Abort();
                inline?.Abandon("the upstream's bytes did not verify");
                FillLog.DigestMismatch(logger, repository, digest.Value, upstreamName, actual.Value.Value, bytes);
                return;
            }

            await feed.ReleaseAsync().ConfigureAwait(false);
            if (inline is null)
            {
                return;
            }

            if (await inline.FinishAsync().ConfigureAwait(false) is { } staged && staged.Digest == digest && staged.Bytes == bytes)
            {
                await storage.Blobs.CommitBlocksAsync(inline.BlobName, LocationFill.BlockIds(inline.Nonce, staged.Blocks), BlobService.ContentType, ct)
                    .ConfigureAwait(false);
                await blobs.AdoptAsync(repository, inline.BlobName, digest.Value, bytes, ct).ConfigureAwait(false);
                FillLog.Stored(logger, repository, digest.Value, upstreamName, bytes, "stream-through");
                return;
            }

            FillLog.InlineStoreAbandoned(logger, repository, digest.Value, upstreamName, inline.AbandonedFor ?? "the staged bytes did not verify");
            await refill!(ct).ConfigureAwait(false);
        }
        catch
        {
            feed.Abort();
            throw;
        }
        finally
        {
            if (claim is not null)
            {
                await claims.ReleaseAsync(digest.Value, claim).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Reads the upstream to the end, hashing, feeding the client and offering each read to the inline store. Returns
    /// the digest and length read, or a null digest when it stopped early because nobody needs the rest (the client
    /// left, and nothing is being stored inline).
    /// </summary>
    private static async Task<(Digest? Actual, long Bytes)> PumpAsync(Stream body, ClientFeed feed, InlineStore? inline, DigestAlgorithm algorithm,
        CancellationToken ct)
    {
        using var hash = ResumableHash.Create(algorithm);
        long bytes = 0;
        int read;
        while ((read = await body.ReadAsync(feed.NextBuffer, ct).ConfigureAwait(false)) > 0)
        {
            var chunk = feed.NextBuffer[..read];
            hash.Append(chunk.Span);
            bytes += read;
            if (inline is not null)
            {
                // Storing may wait only when no client is paced by it.
                await inline.OfferAsync(chunk, wait: feed.Gone).ConfigureAwait(false);
            }

            if (feed.Gone && (inline is null || inline.AbandonedFor is not null))
            {
                return (null, bytes);
            }

            await feed.PassAsync(read).ConfigureAwait(false);
        }

        return (hash.Finish(), bytes);
    }
}
