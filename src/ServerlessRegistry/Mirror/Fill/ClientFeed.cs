using System.Buffers;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// Passes the upstream's reads on to the client one read late: the last read is held back until <see cref="ReleaseAsync"/>
/// (the digest verified) or never (<see cref="Abort"/> makes the client's read fail). A client that leaves stops
/// receiving; <see cref="Gone"/> then tells the read loop nobody waits for the bytes.
/// </summary>
/// <remarks>
/// Concurrency: one caller at a time (the read loop). Once released, aborted or gone, the feed calls
/// <c>released</c> exactly once and never touches the <see cref="HttpContext"/> again, so the request may end while the
/// fill goes on.
/// </remarks>
internal sealed class ClientFeed(HttpContext client, int readSize, Action released, Action clientLeft) : IDisposable
{
    private byte[] _next = ArrayPool<byte>.Shared.Rent(readSize);
    private byte[] _held = ArrayPool<byte>.Shared.Rent(readSize);
    private int _heldLength;
    private bool _done;

    /// <summary>Where the next upstream read goes.</summary>
    public Memory<byte> NextBuffer => _next.AsMemory(0, readSize);

    /// <summary>The client left (or the feed is released or aborted): nothing more reaches it.</summary>
    public bool Gone { get; private set; }

    /// <summary>Sends the read held back so far, and holds back the <paramref name="count"/> bytes just read into <see cref="NextBuffer"/>.</summary>
    public async ValueTask PassAsync(int count)
    {
        await SendHeldAsync().ConfigureAwait(false);
        (_next, _held) = (_held, _next);
        _heldLength = count;
    }

    /// <summary>Sends the held-back bytes and ends the response: the content verified.</summary>
    public async Task ReleaseAsync()
    {
        await SendHeldAsync().ConfigureAwait(false);
        if (!Gone)
        {
            try
            {
                await client.Response.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
            {
                // The client left at the last moment; it had every byte but the end of the response.
            }
        }

        Done();
    }

    /// <summary>Aborts the response (when not released or gone already), so the client's read fails instead of ending short.</summary>
    public void Abort()
    {
        if (!Gone)
        {
            client.Abort();
        }

        Done();
    }

    private async Task SendHeldAsync()
    {
        if (_heldLength == 0 || Gone)
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
            clientLeft();
            Done();
        }

        _heldLength = 0;
    }

    private void Done()
    {
        if (!_done)
        {
            _done = true;
            Gone = true;
            released();
        }
    }

    /// <summary>Aborts a response neither released nor aborted (a fill that failed mid-way), and returns the buffers.</summary>
    public void Dispose()
    {
        Abort();
        ArrayPool<byte>.Shared.Return(_next);
        ArrayPool<byte>.Shared.Return(_held);
        _next = _held = [];
    }
}
