using System.Buffers;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// Reads the upstream's body and passes every byte on to the client one read late: the last read is held back until
/// <see cref="ReleaseAsync"/> (the digest verified) or never (<see cref="HttpContext.Abort"/> then makes the client's
/// read fail). A client that leaves stops receiving, and reading goes on. One reader at a time; not thread-safe.
/// </summary>
internal sealed class HeldBackStream(Stream upstream, HttpContext client, Action clientLeft) : Stream
{
    private byte[] _held = [];
    private int _heldLength;
    private bool _clientGone;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await upstream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return 0;
        }

        await PassOnAsync().ConfigureAwait(false);
        if (_held.Length < read)
        {
            ReturnHeld();
            _held = ArrayPool<byte>.Shared.Rent(read);
        }

        buffer.Span[..read].CopyTo(_held);
        _heldLength = read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Sends the held-back bytes and ends the response: the content verified.</summary>
    public async Task ReleaseAsync()
    {
        await PassOnAsync().ConfigureAwait(false);
        if (!_clientGone)
        {
            try
            {
                await client.Response.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
            {
                _clientGone = true;
            }
        }
    }

    private async Task PassOnAsync()
    {
        if (_heldLength == 0 || _clientGone)
        {
            _heldLength = 0;
            return;
        }

        try
        {
            await client.Response.Body.WriteAsync(_held.AsMemory(0, _heldLength), client.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone; the fill it started goes on without it.
            _clientGone = true;
            clientLeft();
        }

        _heldLength = 0;
    }

    private void ReturnHeld()
    {
        if (_held.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_held);
        }

        _held = [];
    }

    protected override void Dispose(bool disposing)
    {
        ReturnHeld();
        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("read asynchronously");
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
