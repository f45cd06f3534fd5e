using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events.Delivery;

/// <summary>
/// The dead-letter queue as the CLI sees it: lists what failed and moves it back to the live queue with its tries reset.
/// Holds both the registry's own dead letters and the Functions host's poison messages (the same queue and shape).
/// </summary>
/// <remarks>
/// Azure peeks at most 32 messages, so a longer queue is read by receiving every message for <see cref="Hold"/> and
/// releasing it: while a listing runs, another one sees fewer. A redelivery sends the new message before deleting the
/// dead letter, so a failure in between leaves a duplicate (same event ids), never a loss.
/// </remarks>
internal sealed class DeadLetters(IQueueStore queues, EventQueues names)
{
    public static readonly TimeSpan Hold = TimeSpan.FromMinutes(1);

    /// <summary>A dead letter: its queue message and, unless malformed, what it carries.</summary>
    public sealed record Item(QueuedMessage Message, DeliveryMessage? Delivery, string? Problem)
    {
        /// <summary>Whether <paramref name="id"/> names this dead letter (its message id) or one of its events.</summary>
        public bool IsNamed(string id) =>
            Message.Id == id || Delivery is not null && Delivery.Events.Any(e => string.Equals(e.Id, id, StringComparison.OrdinalIgnoreCase));
    }

    public string Queue => names.DeadLetter;

    /// <summary>Every dead letter, oldest first; changes nothing (except dequeue counts on a long queue).</summary>
    public async Task<IReadOnlyList<Item>> ListAsync(CancellationToken cancellationToken)
    {
        if (await queues.CountAsync(names.DeadLetter, cancellationToken) <= 32)
        {
            return [.. (await queues.PeekAsync(names.DeadLetter, 32, cancellationToken)).Select(Read)];
        }

        var all = await ReceiveAllAsync(cancellationToken);
        foreach (var item in all)
        {
            await queues.ReleaseAsync(names.DeadLetter, item.Message, TimeSpan.Zero, cancellationToken);
        }

        return all;
    }

    /// <summary>
    /// Moves the dead letters <paramref name="which"/> selects (and that are not malformed) to the live queue, attempt 1
    /// and errors cleared, and deletes them here; the rest stay. Returns the ones moved.
    /// </summary>
    public async Task<IReadOnlyList<Item>> RedeliverAsync(Func<Item, bool> which, CancellationToken cancellationToken)
    {
        var moved = new List<Item>();
        foreach (var item in await ReceiveAllAsync(cancellationToken))
        {
            if (item.Delivery is { } delivery && which(item))
            {
                var fresh = delivery with { Attempt = 1, Destinations = [.. delivery.Destinations.Select(d => new DeliveryTarget(d.Name))] };
                await queues.SendAsync(names.Live, fresh.ToJson(), TimeSpan.Zero, cancellationToken);
                await queues.DeleteAsync(names.DeadLetter, item.Message, cancellationToken);
                moved.Add(item);
            }
            else
            {
                await queues.ReleaseAsync(names.DeadLetter, item.Message, TimeSpan.Zero, cancellationToken);
            }
        }

        return moved;
    }

    private async Task<List<Item>> ReceiveAllAsync(CancellationToken cancellationToken)
    {
        var all = new List<Item>();
        while (true)
        {
            var batch = await queues.ReceiveAsync(names.DeadLetter, 32, Hold, cancellationToken);
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch.Select(Read));
        }
    }

    private static Item Read(QueuedMessage message) =>
        DeliveryMessage.TryParse(message.Text, out var delivery, out var problem) ? new(message, delivery, null) : new(message, null, problem);
}
