using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>
/// The shared load-and-refresh machine on a fake clock: refresh from 30 s, stale from 60 s. Each load answers "v{n}" for
/// the n-th load; a test that needs loads to overlap or fail holds them on <see cref="Loader.Gate"/>.
/// </summary>
public sealed class RefreshingValueTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly Loader _loader = new();
    private readonly List<Exception> _failures = [];
    private readonly RefreshingValue<string> _value;

    public RefreshingValueTests() =>
        _value = new RefreshingValue<string>(_loader.LoadAsync, _time, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(60), e => { lock (_failures) { _failures.Add(e); } });

    [Fact]
    public async Task ConcurrentCallersShareOneLoad()
    {
        var gate = _loader.Hold();

        var first = _value.CurrentAsync(default).AsTask();
        var second = _value.CurrentAsync(default).AsTask();
        Assert.True(await _loader.Started.WaitAsync(Wait));
        gate.SetResult("shared");

        Assert.Equal(new[] { "shared", "shared" }, await Task.WhenAll(first, second));
        Assert.Equal(1, _loader.Loads);
    }

    [Fact]
    public async Task OneCallersCancellationDoesNotCancelTheSharedLoad()
    {
        var gate = _loader.Hold();
        using var cancel = new CancellationTokenSource();

        var abandoned = _value.CurrentAsync(cancel.Token).AsTask();
        var waiting = _value.CurrentAsync(default).AsTask();
        await cancel.CancelAsync();
        gate.SetResult("shared");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.Equal("shared", await waiting);
    }

    [Fact]
    public async Task FreshValueIsServedWithoutLoading()
    {
        Assert.Null(_value.Fresh);
        Assert.Equal("v1", await _value.CurrentAsync(default));

        _time.Advance(TimeSpan.FromSeconds(29));

        Assert.Equal("v1", await _value.CurrentAsync(default));
        Assert.Equal("v1", _value.Fresh);
        Assert.Equal(1, _loader.Loads);
    }

    [Fact]
    public async Task FromRefreshAfterTheValueIsServedWhileOneBackgroundLoadReplacesIt()
    {
        await _value.CurrentAsync(default);
        _time.Advance(TimeSpan.FromSeconds(30));
        var gate = _loader.Hold();

        Assert.Equal("v1", _value.Fresh);
        Assert.Equal("v1", await _value.CurrentAsync(default));
        var joined = _value.ReloadAsync(TimeSpan.Zero, default);
        gate.SetResult("v2");

        Assert.Equal("v2", await joined);
        Assert.Equal("v2", _value.Fresh);
        Assert.Equal(2, _loader.Loads);
    }

    [Fact]
    public async Task PastMaxStalenessNothingIsFreshAndCallersWaitForALoad()
    {
        await _value.CurrentAsync(default);
        _time.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal("v1", _value.Last);
        Assert.Null(_value.Fresh);
        Assert.Equal("v2", await _value.CurrentAsync(default));
    }

    [Fact]
    public async Task ALoadStartedBeforeInvalidateDoesNotInstallItsValue()
    {
        var gate = _loader.Hold();
        var before = _value.CurrentAsync(default).AsTask();
        Assert.True(await _loader.Started.WaitAsync(Wait));

        _value.Invalidate();
        gate.SetResult("before the change");

        Assert.Equal("before the change", await before);
        Assert.Null(_value.Last);
        Assert.Equal("v2", await _value.CurrentAsync(default));
        Assert.Equal(2, _loader.Loads);
    }

    [Fact]
    public async Task AFailedBackgroundLoadKeepsTheLastValueAndIsRetriedNoSoonerThanFiveSeconds()
    {
        await _value.CurrentAsync(default);
        _time.Advance(TimeSpan.FromSeconds(30));
        var gate = _loader.Hold();
        Assert.Equal("v1", _value.Fresh);
        var joined = _value.ReloadAsync(TimeSpan.Zero, default);
        gate.SetException(new IOException("storage down"));
        await Assert.ThrowsAsync<IOException>(() => joined);

        Assert.Equal("v1", _value.Fresh);
        Assert.Equal("v1", await _value.CurrentAsync(default));
        await Assert.ThrowsAsync<IOException>(() => _value.ReloadAsync(TimeSpan.Zero, default));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("v1", _value.Fresh);
        Assert.Equal(2, _loader.Loads);
        Assert.Single(_failures);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("v1", _value.Fresh);
        // Joins the retry under way, or answers it if already installed.
        Assert.Equal("v3", await _value.ReloadAsync(TimeSpan.FromSeconds(1), default));
        Assert.Equal(3, _loader.Loads);
    }

    [Fact]
    public async Task AFailedLoadACallerWaitsForIsThrown()
    {
        _loader.Hold().SetException(new IOException("storage down"));

        await Assert.ThrowsAsync<IOException>(async () => await _value.CurrentAsync(default));
        Assert.Null(_value.Last);
        Assert.Single(_failures);
    }

    /// <summary>Counts loads; each answers "v{n}", or waits for the gate a test holds (used by the next load only).</summary>
    private sealed class Loader
    {
        private int _loads;
        private TaskCompletionSource<string>? _gate;

        public int Loads => Volatile.Read(ref _loads);

        public SemaphoreSlim Started { get; } = new(0);

        public TaskCompletionSource<string> Hold() =>
            _gate = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<string> LoadAsync(CancellationToken ct)
        {
            var n = Interlocked.Increment(ref _loads);
            Started.Release();
            return Interlocked.Exchange(ref _gate, null)?.Task ?? Task.FromResult($"v{n}");
        }
    }
}
