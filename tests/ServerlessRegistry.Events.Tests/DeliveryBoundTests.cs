using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Events.Delivery;
using ServerlessRegistry.Functions;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>
/// What bounds a delivery on the shared Azurite, each test on queues of its own: a message that keeps coming back is
/// dead-lettered as it is (the standalone loop and the queue function alike), and follow-ups and dead letters whose
/// error texts outgrow a queue message are split.
/// </summary>
public sealed class DeliveryBoundTests : IAsyncLifetime
{
    private readonly string _prefix = Azurite.NewPrefix();
    private Azurite _azurite = null!;
    private IQueueStore _store = null!;

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.GetAsync();
        _store = new AzureStorage(BlobTestSupport.EmulatorOptions(_azurite), TimeProvider.System).CreateQueueStore();
    }

    public Task DisposeAsync() => StorageCleanup.DeletePrefixAsync(_azurite, _prefix);

    [Fact]
    public async Task TheLoopDeadLettersAMessageReceivedTooOftenWithoutDeliveringItAgain()
    {
        var (store, queues) = (_store, new EventQueues(new StorageLayout(_prefix)));
        var healthy = new TestDestination("test:healthy");
        var (delivery, destinations, options) = Delivery(store, queues, new EventsOptions(), healthy);
        var text = Message(["test:healthy"], Events(1)).ToJson();
        await store.SendAsync(queues.Live, text, TimeSpan.Zero, default);
        for (var i = 0; i < EventDelivery.MaxDequeueCount; i++)
        {
            var received = Assert.Single(await store.ReceiveAsync(queues.Live, 1, TimeSpan.FromMinutes(1), default));
            Assert.True(await store.ReleaseAsync(queues.Live, received, TimeSpan.Zero, default));
        }

        using var loop = new EventDeliveryLoop(new ServiceCollection().BuildServiceProvider(), destinations, delivery, store, queues, new EventSignal(),
            options, NullLogger<EventDeliveryLoop>.Instance);
        await loop.StartAsync(default);
        try
        {
            await loop.WaitUntilDrainedAsync(TimeSpan.FromSeconds(15));
        }
        finally
        {
            await loop.StopAsync(default);
        }

        Assert.Equal(text, Assert.Single(await store.PeekAsync(queues.DeadLetter, 32, default)).Text);
        Assert.Equal(0, healthy.Deliveries);
    }

    [Fact]
    public async Task TheFunctionThrowsBelowTheBoundAndDeadLettersAtItSoTheHostNeverMovesTheMessage()
    {
        var (store, queues) = (_store, new EventQueues(new StorageLayout(_prefix)));
        var (delivery, _, _) = Delivery(store, queues, new EventsOptions(), new TestDestination("test:defect", acceptsThrows: true));
        var function = new EventFunctions(delivery);
        var text = Message(["test:defect"], Events(1)).ToJson();

        await Assert.ThrowsAsync<InvalidOperationException>(() => function.DeliverEventsAsync(text, 1, default));
        Assert.Empty(await store.PeekAsync(queues.DeadLetter, 32, default));

        await function.DeliverEventsAsync(text, EventDelivery.MaxDequeueCount, default);
        Assert.Equal(text, Assert.Single(await store.PeekAsync(queues.DeadLetter, 32, default)).Text);
    }

    [Fact]
    public async Task TheFunctionDeadLettersAMessagePastTheBoundWithoutATry()
    {
        var (store, queues) = (_store, new EventQueues(new StorageLayout(_prefix)));
        var healthy = new TestDestination("test:healthy");
        var (delivery, _, _) = Delivery(store, queues, new EventsOptions(), healthy);
        var text = Message(["test:healthy"], Events(1)).ToJson();

        await new EventFunctions(delivery).DeliverEventsAsync(text, EventDelivery.MaxDequeueCount + 1, default);

        Assert.Equal(text, Assert.Single(await store.PeekAsync(queues.DeadLetter, 32, default)).Text);
        Assert.Equal(0, healthy.Deliveries);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public async Task AFollowUpOrDeadLetterTooBigForOneMessageIsSplitByEvents(int maxAttempts)
    {
        var (store, queues) = (_store, new EventQueues(new StorageLayout(_prefix)));
        // Control characters are escaped as \u0001 by every encoder: six bytes each, the worst an error text can grow.
        var error = new string('\u0001', 2 * DeliveryMessage.MaxErrorLength);
        var failing = Enumerable.Range(0, 20).Select(i => new TestDestination($"test:f{i}", error)).ToArray();
        var (delivery, _, _) = Delivery(store, queues, new EventsOptions { MaxAttempts = maxAttempts, FirstRetryAfter = TimeSpan.Zero }, failing);
        var names = failing.Select(d => d.Name).ToList();
        var message = DeliveryMessage.Split(Events(600), [.. names.Select(n => new DeliveryTarget(n))]).First();
        Assert.True(message.Events.Count > 1);

        await delivery.ProcessAsync(message.ToJson(), default);

        var queue = maxAttempts == 1 ? queues.DeadLetter : queues.Live;
        var parts = await store.PeekAsync(queue, 32, default);
        Assert.True(parts.Count > 1);
        var parsed = parts.Select(p =>
        {
            Assert.True(System.Text.Encoding.UTF8.GetByteCount(p.Text) <= IQueueStore.MaxMessageBytes);
            Assert.True(DeliveryMessage.TryParse(p.Text, out var part, out var problem), problem);
            Assert.Equal(names, part.Destinations.Select(d => d.Name));
            Assert.All(part.Destinations, d => Assert.Equal(DeliveryMessage.Cut(error), d.Error));
            Assert.Equal(Math.Min(2, maxAttempts), part.Attempt);
            return part;
        }).ToList();
        Assert.Equal(message.Events.Select(e => e.Id), parsed.SelectMany(p => p.Events).Select(e => e.Id));
    }

    private static (EventDelivery Delivery, EventDestinations Destinations, IOptions<EventsOptions> Options) Delivery(IQueueStore store, EventQueues queues,
        EventsOptions settings, params IEventDestination[] destinations)
    {
        var all = new EventDestinations([new TestDestinationSource(destinations)]);
        var options = Options.Create(settings);
        return (new EventDelivery(all, store, queues, options, NullLogger<EventDelivery>.Instance), all, options);
    }

    private static DeliveryMessage Message(IEnumerable<string> destinations, IReadOnlyList<RegistryEvent> events) =>
        new() { Destinations = [.. destinations.Select(n => new DeliveryTarget(n))], Events = events };

    private static List<RegistryEvent> Events(int count) => [.. Enumerable.Range(0, count).Select(i => new RegistryEvent
    {
        Id = Guid.NewGuid().ToString(),
        Timestamp = DateTimeOffset.UnixEpoch,
        Action = "push",
        Target = new EventTarget { Digest = "sha256:" + new string('a', 64), Repository = "team/bound", Tag = "t" + i },
    })];
}
