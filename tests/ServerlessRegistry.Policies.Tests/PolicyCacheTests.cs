using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>
/// The cache's staleness bound and its sharing of loads, on a fake clock. A load is two queries of the policies table,
/// counted at the metadata port; a gate holds loads open to make callers overlap.
/// </summary>
public sealed class PolicyCacheTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 6, 8, 0, 0, TimeSpan.Zero));
    private readonly CountingMetadataStore _metadata = new();
    private readonly PolicyStore _store;
    private readonly PolicyCache _cache;

    public PolicyCacheTests()
    {
        var storage = new RegistryStorage(new StorageLayout(Azurite.NewPrefix()), new InMemoryBlobStore("policies", _time), _metadata);
        _store = new PolicyStore(storage, _time);
        _cache = new PolicyCache(_store, _time);
    }

    private int Loads => _metadata.Queries / 2;

    [Fact]
    public async Task NothingIsReadUntilTheFirstCallAndThenOnce()
    {
        Assert.Equal(0, Loads);

        await _cache.CurrentAsync(default);
        await _cache.CurrentAsync(default);

        Assert.Equal(1, Loads);
    }

    [Fact]
    public async Task ConcurrentCallersShareOneLoad()
    {
        var gate = _metadata.Hold();
        var calls = Enumerable.Range(0, 16).Select(_ => _cache.CurrentAsync(default).AsTask()).ToArray();

        gate.SetResult();
        await Task.WhenAll(calls);

        Assert.Equal(1, Loads);
    }

    [Fact]
    public async Task ASetYoungerThanTheRefreshAgeIsServedFromMemory()
    {
        await _cache.CurrentAsync(default);
        await _store.PutAsync(new QuotaRule("q", "a/*", 1), default);
        _time.Advance(PolicyCache.RefreshAfter - TimeSpan.FromSeconds(1));

        var set = await _cache.CurrentAsync(default);

        Assert.Empty(set.Quotas);
        Assert.Equal(1, Loads);
    }

    [Fact]
    public async Task AnAgingSetIsServedWhileOneBackgroundLoadReplacesIt()
    {
        await _cache.CurrentAsync(default);
        await _store.PutAsync(new QuotaRule("q", "a/*", 1), default);
        _time.Advance(PolicyCache.RefreshAfter + TimeSpan.FromSeconds(1));
        var gate = _metadata.Hold();

        var first = _cache.CurrentAsync(default);
        var second = _cache.CurrentAsync(default);

        Assert.True(first.IsCompletedSuccessfully && second.IsCompletedSuccessfully);
        Assert.Empty((await first).Quotas);
        gate.SetResult();
        Assert.Single((await PollAsync(s => s.Quotas.Count == 1)).Quotas);
        Assert.Equal(2, Loads);
    }

    [Fact]
    public async Task BeyondTheStalenessBoundCallersWaitForAFreshSet()
    {
        await _cache.CurrentAsync(default);
        await _store.PutAsync(new ImmutableRule("i", "a/*", "v*"), default);
        _time.Advance(PolicyCache.MaxStaleness);

        var set = await _cache.CurrentAsync(default);

        Assert.Single(set.Immutable);
        Assert.Equal(2, Loads);
    }

    [Fact]
    public async Task InvalidatingDiscardsALoadThatStartedBeforeTheChange()
    {
        var gate = _metadata.Hold();
        var before = _cache.CurrentAsync(default).AsTask();
        await _metadata.Started.WaitAsync(TimeSpan.FromSeconds(10));

        _metadata.Release();
        await _store.PutAsync(new QuotaRule("q", "a/*", 1), default);
        _cache.Invalidate();
        var after = await _cache.CurrentAsync(default);
        gate.SetResult();
        await before;

        Assert.Single(after.Quotas);
        Assert.Single((await _cache.CurrentAsync(default)).Quotas);
        Assert.Equal(2, Loads);
    }

    [Fact]
    public async Task AFailedRefreshKeepsTheLastSetUntilTheBoundThenFails()
    {
        await _store.PutAsync(new QuotaRule("q", "a/*", 1), default);
        await _cache.CurrentAsync(default);
        _metadata.Failure = new StorageException("storage is busy", 503, "ServerBusy");
        _time.Advance(PolicyCache.RefreshAfter);

        Assert.Single((await _cache.CurrentAsync(default)).Quotas);
        await PollFailuresAsync(1);
        _time.Advance(PolicyCache.MaxStaleness - PolicyCache.RefreshAfter - TimeSpan.FromSeconds(1));
        Assert.Single((await _cache.CurrentAsync(default)).Quotas);
        _time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAsync<StorageException>(() => _cache.CurrentAsync(default).AsTask());

        _metadata.Failure = null;
        Assert.Single((await _cache.CurrentAsync(default)).Quotas);
    }

    [Fact]
    public async Task WithoutAnySetAFailureReachesTheCallerAndTheNextCallRetries()
    {
        _metadata.Failure = new StorageException("storage is busy", 503, "ServerBusy");

        await Assert.ThrowsAsync<StorageException>(() => _cache.CurrentAsync(default).AsTask());
        _metadata.Failure = null;

        Assert.True((await _cache.CurrentAsync(default)).IsEmpty);
    }

    private async Task<PolicySet> PollAsync(Func<PolicySet, bool> done)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); ; await Task.Delay(10))
        {
            var set = await _cache.CurrentAsync(default);
            if (done(set) || DateTime.UtcNow > deadline)
            {
                return set;
            }
        }
    }

    private async Task PollFailuresAsync(int count)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); _metadata.Failures < count && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(10);
        }

        Assert.True(_metadata.Failures >= count);
    }

    /// <summary>The in-memory port, counting queries, optionally holding them at a gate or failing them.</summary>
    private sealed class CountingMetadataStore : IMetadataStore
    {
        private readonly InMemoryMetadataStore _inner = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _gate;
        private int _queries;
        private int _failures;

        public int Queries => Volatile.Read(ref _queries);
        public int Failures => Volatile.Read(ref _failures);
        public Task Started => _started.Task;
        public Exception? Failure { get; set; }

        /// <summary>Holds every query until the returned source is completed.</summary>
        public TaskCompletionSource Hold() => _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Lets queries through again without completing the held ones.</summary>
        public void Release() => _gate = null;

        public Task<TableRow?> GetAsync(string table, string partitionKey, string rowKey, CancellationToken ct) => _inner.GetAsync(table, partitionKey, rowKey, ct);

        public async Task<RowPage> QueryAsync(string table, RowQuery query, CancellationToken ct)
        {
            Interlocked.Increment(ref _queries);
            if (Failure is { } failure)
            {
                Interlocked.Increment(ref _failures);
                throw failure;
            }

            // Read first, then wait: a held load has seen storage as it was when it started.
            var page = await _inner.QueryAsync(table, query, ct);
            _started.TrySetResult();
            if (_gate is { } gate)
            {
                await gate.Task;
            }

            return page;
        }

        public Task<string> ExecuteAsync(string table, RowOperation operation, CancellationToken ct) => _inner.ExecuteAsync(table, operation, ct);

        public Task ExecuteBatchAsync(string table, IReadOnlyList<RowOperation> operations, CancellationToken ct) => _inner.ExecuteBatchAsync(table, operations, ct);
    }
}
