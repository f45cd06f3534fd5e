using ServerlessRegistry.Azure;
using ServerlessRegistry.Azure.Queue;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Storage.Tests;

/// <summary><see cref="AzureQueueStore"/> on the shared Azurite: each test uses queues of its own prefix and deletes them.</summary>
public sealed class QueueStoreAzuriteTests : IAsyncLifetime
{
    private static readonly TimeSpan Hidden = TimeSpan.FromSeconds(30);
    private readonly string _prefix = Azurite.NewPrefix();
    private AzureQueueStore _store = null!;

    private string Queue => _prefix + "work";

    public async Task InitializeAsync() =>
        _store = new AzureStorage(BlobTestSupport.EmulatorOptions(await Azurite.GetAsync()), TimeProvider.System).CreateAzureQueueStore();

    public async Task DisposeAsync()
    {
        await StorageCleanup.DeletePrefixAsync(await Azurite.GetAsync(), _prefix);
        Assert.Empty(await _store.ListQueuesAsync(_prefix, default));
    }

    [Fact]
    public async Task MissingQueueReadsEmptyAndDeletesNothing()
    {
        Assert.Empty(await _store.ReceiveAsync(Queue, 32, Hidden, default));
        Assert.Empty(await _store.PeekAsync(Queue, 32, default));
        Assert.Equal(0, await _store.CountAsync(Queue, default));
        Assert.False(await _store.DeleteAsync(Queue, new QueuedMessage("x", "y", "", 1, null), default));
        Assert.Empty(await _store.ListQueuesAsync(_prefix, default));
    }

    [Fact]
    public async Task FirstSendCreatesTheQueueAndTheTextComesBackAsSent()
    {
        const string text = "{\"v\":1,\"note\":\"ünïcode and \\\"quotes\\\"\"}";
        await _store.SendAsync(Queue, text, TimeSpan.Zero, default);
        await _store.SendAsync(Queue, "second", TimeSpan.Zero, default);

        Assert.Equal([Queue], await _store.ListQueuesAsync(_prefix, default));
        Assert.Equal(2, await _store.CountAsync(Queue, default));
        var peeked = await _store.PeekAsync(Queue, 32, default);
        Assert.Equal([text, "second"], peeked.Select(m => m.Text));
        Assert.All(peeked, m => Assert.Null(m.PopReceipt));

        var received = await _store.ReceiveAsync(Queue, 32, Hidden, default);
        Assert.Equal([text, "second"], received.Select(m => m.Text));
        Assert.All(received, m => Assert.Equal(1, m.DequeueCount));
        Assert.Empty(await _store.ReceiveAsync(Queue, 32, Hidden, default));
        Assert.Empty(await _store.PeekAsync(Queue, 32, default));
    }

    [Fact]
    public async Task TheStoredBodyIsBase64AsTheFunctionsTriggerReadsIt()
    {
        await _store.SendAsync(Queue, "hello", TimeSpan.Zero, default);
        var raw = new global::Azure.Storage.Queues.QueueClient(
            new Uri((await Azurite.GetAsync()).QueueEndpoint.AbsoluteUri.TrimEnd('/') + "/" + Queue),
            new global::Azure.Storage.StorageSharedKeyCredential(Azurite.AccountName, Azurite.AccountKey),
            new global::Azure.Storage.Queues.QueueClientOptions(global::Azure.Storage.Queues.QueueClientOptions.ServiceVersion.V2025_05_05));
        var message = (await raw.PeekMessageAsync()).Value;
        Assert.Equal(Convert.ToBase64String("hello"u8.ToArray()), message.Body.ToString());
    }

    [Fact]
    public async Task DeletedMessageIsGoneAndASecondDeleteSaysSo()
    {
        await _store.SendAsync(Queue, "one", TimeSpan.Zero, default);
        var message = Assert.Single(await _store.ReceiveAsync(Queue, 1, Hidden, default));

        Assert.True(await _store.DeleteAsync(Queue, message, default));
        Assert.False(await _store.DeleteAsync(Queue, message, default));
        Assert.Equal(0, await _store.CountAsync(Queue, default));
    }

    [Fact]
    public async Task ReleasedMessageComesBackWithAHigherDequeueCountAndTheOldReceiptNoLongerWorks()
    {
        await _store.SendAsync(Queue, "one", TimeSpan.Zero, default);
        var first = Assert.Single(await _store.ReceiveAsync(Queue, 1, Hidden, default));

        Assert.True(await _store.ReleaseAsync(Queue, first, TimeSpan.Zero, default));
        var second = Assert.Single(await _store.ReceiveAsync(Queue, 1, Hidden, default));

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(2, second.DequeueCount);
        Assert.False(await _store.DeleteAsync(Queue, first, default));
        Assert.False(await _store.ReleaseAsync(Queue, first, TimeSpan.Zero, default));
        Assert.True(await _store.DeleteAsync(Queue, second, default));
    }

    [Fact]
    public async Task DelayedMessageIsCountedButNotVisible()
    {
        await _store.SendAsync(Queue, "later", TimeSpan.FromMinutes(5), default);

        Assert.Equal(1, await _store.CountAsync(Queue, default));
        Assert.Empty(await _store.PeekAsync(Queue, 32, default));
        Assert.Empty(await _store.ReceiveAsync(Queue, 32, Hidden, default));
    }

    [Fact]
    public async Task ShortDelayBecomesVisible()
    {
        // Long enough that the peek right after surely comes before it, on a busy shared Azurite too.
        await _store.SendAsync(Queue, "soon", TimeSpan.FromSeconds(4), default);
        Assert.Empty(await _store.PeekAsync(Queue, 32, default));

        var deadline = DateTime.UtcNow.AddSeconds(15);
        IReadOnlyList<QueuedMessage> received = [];
        while (received.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            received = await _store.ReceiveAsync(Queue, 32, Hidden, default);
        }

        Assert.Equal("soon", Assert.Single(received).Text);
    }

    [Fact]
    public async Task PeekedMessageCannotBeDeleted()
    {
        await _store.SendAsync(Queue, "one", TimeSpan.Zero, default);
        var peeked = Assert.Single(await _store.PeekAsync(Queue, 1, default));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(Queue, peeked, default));
    }

    [Fact]
    public async Task UnreachableQueueServiceIsUnavailable()
    {
        var azurite = await Azurite.GetAsync();
        var closed = Azurite.FreePort();
        var store = new AzureStorage(AzureStorageOptions.ForEmulator(azurite.BlobEndpoint, azurite.TableEndpoint, Azurite.AccountName, Azurite.AccountKey,
            new Uri($"http://127.0.0.1:{closed}/{Azurite.AccountName}")), TimeProvider.System).CreateQueueStore();

        var e = await Assert.ThrowsAsync<StorageException>(() => store.SendAsync(Queue, "x", TimeSpan.Zero, default));
        Assert.Equal(StorageFailure.Unavailable, e.Failure);
    }
}
