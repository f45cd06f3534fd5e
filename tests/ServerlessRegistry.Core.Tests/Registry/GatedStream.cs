namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// Two request bodies that hold back their bytes until both have been asked for them, so both requests are
/// past their reads of shared state before either writes: the interleaving a race test needs, without sleeps.
/// </summary>
internal sealed class GatedStream(byte[] content, Barrier barrier) : Stream
{
    private int _position;
    private bool _released;

    public static (GatedStream A, GatedStream B) Pair(byte[] a, byte[] b)
    {
        var barrier = new Barrier(2);
        return (new GatedStream(a, barrier), new GatedStream(b, barrier));
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_released)
        {
            _released = true;
            await Task.Run(() => barrier.SignalAndWait(TimeSpan.FromSeconds(30)), cancellationToken);
        }

        var n = Math.Min(buffer.Length, content.Length - _position);
        content.AsMemory(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
