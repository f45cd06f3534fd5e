using System.Buffers;
using System.IO.Pipelines;
using ServerlessRegistry.Core.Hashing;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// Stores a stream-through's bytes beside the client's stream: each read is copied into a bounded pipe that
/// <see cref="BlockWriter"/> drains into Put Block calls (block size and blocks in flight from <see cref="RegistryOptions"/>).
/// When the pipe is full, storage is slower than the upstream, and waiting would pace the client at storage's speed:
/// the offer is refused and the store abandoned instead (nothing committed; staged blocks are orphans for the sweep).
/// </summary>
/// <remarks>
/// <para>Concurrency: <see cref="OfferAsync"/>, <see cref="Abandon"/> and <see cref="FinishAsync"/> are called by one
/// reader in turn (the read loop). The consumer runs inline in the read loop's flushes while it can (copying into block
/// buffers and starting Put Blocks; neither waits) and on the Put Blocks' completions otherwise; <see cref="DisposeAsync"/>
/// awaits it.</para>
/// <para>Memory: <see cref="PauseBlocks"/> blocks in the pipe plus BlockWriter's (blocks in flight + 1) × block size.</para>
/// <para>The consumer hashes what it staged with its own hash, so a commit is of bytes verified on the storing side too.</para>
/// </remarks>
internal sealed class InlineStore : IAsyncDisposable
{
    /// <summary>
    /// Blocks the pipe holds before it counts as full. Beyond the blocks in flight, this absorbs a slow Put Block or two
    /// without giving up; a store that stays behind by more is behind for good (Azurite writes slower than a local upstream).
    /// </summary>
    internal const int PauseBlocks = 2;

    private readonly Pipe _pipe;
    private readonly CancellationTokenSource _stop;
    private readonly ResumableHash _hash;
    private readonly CancellationToken _fill;
    private readonly Task<BlockWriter.Written> _consumer;

    private InlineStore(IBlobStore blobs, RegistryOptions options, DigestAlgorithm algorithm, long? length, CancellationToken ct)
    {
        var threshold = (long)PauseBlocks * options.BlockSize;
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: threshold, resumeWriterThreshold: threshold / 2,
            readerScheduler: PipeScheduler.Inline, minimumSegmentSize: 64 * 1024, useSynchronizationContext: false));
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        _hash = ResumableHash.Create(algorithm);
        _fill = ct;
        // Started here, not queued: with the inline reader scheduler each flush then drains the pipe into block buffers
        // on the spot, so the pipe fills only while Put Blocks are outstanding, never because the consumer was not scheduled.
        _consumer = ConsumeAsync(blobs, options, length);
    }

    /// <summary>The data blob the blocks are staged under.</summary>
    public string BlobName { get; } = StorageLayout.DataBlob(Guid.NewGuid().ToString("N"));

    /// <summary>The block ids' nonce (<see cref="StorageLayout.BlockId"/>).</summary>
    public uint Nonce { get; } = (uint)Random.Shared.Next();

    /// <summary>Why the store was given up, or null while it goes on.</summary>
    public string? AbandonedFor { get; private set; }

    /// <summary>What the consumer staged: its bytes, blocks and the digest of exactly those bytes.</summary>
    public readonly record struct Staged(long Bytes, int Blocks, Digest Digest);

    /// <summary>Starts the consumer. <paramref name="ct"/> is the fill's token (a cancellation there is not an abandonment).</summary>
    public static InlineStore Start(IBlobStore blobs, RegistryOptions options, DigestAlgorithm algorithm, long? length, CancellationToken ct) =>
        new(blobs, options, algorithm, length, ct);

    /// <summary>
    /// Hands a read on to storing. With <paramref name="wait"/> false (a client is being fed) a full pipe abandons the
    /// store rather than waiting; with true (nobody waits for the bytes) it waits for storage. Does nothing once abandoned.
    /// </summary>
    public async ValueTask OfferAsync(ReadOnlyMemory<byte> chunk, bool wait)
    {
        if (AbandonedFor is not null)
        {
            return;
        }

        if (_consumer.IsCompleted)
        {
            Abandon(FailureOf(_consumer));
            return;
        }

        _pipe.Writer.Write(chunk.Span);
        var flush = _pipe.Writer.FlushAsync(_stop.Token);
        if (!flush.IsCompleted && !wait)
        {
            _pipe.Writer.CancelPendingFlush();
            await flush.ConfigureAwait(false);
            Abandon($"storage fell behind the upstream by more than {PauseBlocks} blocks");
            return;
        }

        if ((await flush.ConfigureAwait(false)).IsCompleted)
        {
            // The reader completed early: the consumer failed.
            Abandon(FailureOf(_consumer));
        }
    }

    /// <summary>Gives the store up: the consumer is cancelled and nothing will be committed. Idempotent.</summary>
    public void Abandon(string reason)
    {
        if (AbandonedFor is not null)
        {
            return;
        }

        AbandonedFor = reason;
        _stop.Cancel();
        _pipe.Writer.Complete(new OperationCanceledException("the inline store was abandoned: " + reason));
    }

    /// <summary>
    /// Ends the bytes and waits for the last Put Blocks: what was staged, or null when the store was abandoned or
    /// failed (<see cref="AbandonedFor"/> says why). Throws only when the fill itself is cancelled.
    /// </summary>
    public async Task<Staged?> FinishAsync()
    {
        if (AbandonedFor is not null)
        {
            return null;
        }

        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        try
        {
            var written = await _consumer.ConfigureAwait(false);
            return new Staged(written.Bytes, written.Blocks, _hash.Finish());
        }
        catch (Exception) when (!_fill.IsCancellationRequested)
        {
            Abandon(FailureOf(_consumer));
            return null;
        }
    }

    private async Task<BlockWriter.Written> ConsumeAsync(IBlobStore blobs, RegistryOptions options, long? length)
    {
        try
        {
            var body = _pipe.Reader.AsStream(leaveOpen: true);
            return await BlockWriter.WriteAsync(blobs, BlobName, Nonce, 0, body, _hash, options, length, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            // Frees the pipe's buffers and ends a writer waiting on a full pipe.
            await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    private static string FailureOf(Task consumer) =>
        "storing failed: " + (consumer.Exception?.GetBaseException().Message ?? "the consumer ended early");

    /// <summary>Abandons an unfinished store and waits for its consumer, so no Put Block outlives the fill.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_consumer.IsCompleted)
        {
            Abandon("the fill ended");
        }

        try
        {
            await _consumer.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Abandoned or failed: already accounted for by AbandonedFor or the fill's own error.
        }

        await _pipe.Writer.CompleteAsync().ConfigureAwait(false);
        _hash.Dispose();
        _stop.Dispose();
    }
}
