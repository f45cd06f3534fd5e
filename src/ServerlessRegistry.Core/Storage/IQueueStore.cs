namespace ServerlessRegistry.Core.Storage;

/// <summary>
/// Message queues, in the shape of Azure Queue storage: what the events feature delivers from. A message is at most
/// <see cref="MaxMessageBytes"/> bytes of text; received messages stay invisible for the visibility timeout and come
/// back unless deleted with the pop receipt of that receipt, so every consumer is at-least-once.
/// </summary>
/// <remarks>
/// Queue names are lower-case letters, digits and single hyphens, 3–63 characters (<see cref="StorageLayout"/> and the
/// features' layouts name them). A queue is created by the first send to it; reading, peeking, counting or deleting on a
/// queue that does not exist reads as empty or does nothing. Implementations are thread-safe. Messages are stored
/// base64-encoded, as the Functions queue trigger reads them by default.
/// </remarks>
public interface IQueueStore
{
    /// <summary>Text bytes a message may hold (Azure's 64 KiB, after base64).</summary>
    const int MaxMessageBytes = 48 * 1024;

    /// <summary>Adds a message, first visible after <paramref name="delay"/> (zero: at once; at most 7 days).</summary>
    Task SendAsync(string queue, string text, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>
    /// Takes up to <paramref name="max"/> (1–32) visible messages and hides them for <paramref name="visibility"/>.
    /// Each receipt increments the message's dequeue count.
    /// </summary>
    Task<IReadOnlyList<QueuedMessage>> ReceiveAsync(string queue, int max, TimeSpan visibility, CancellationToken cancellationToken);

    /// <summary>Reads up to <paramref name="max"/> (1–32) visible messages without hiding them.</summary>
    Task<IReadOnlyList<QueuedMessage>> PeekAsync(string queue, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a received message. Idempotent: a message already gone, or received again by another consumer since
    /// (its pop receipt changed), is left alone and this returns false.
    /// </summary>
    Task<bool> DeleteAsync(string queue, QueuedMessage message, CancellationToken cancellationToken);

    /// <summary>Makes a received message visible again after <paramref name="delay"/>; false when it is gone or was received again.</summary>
    Task<bool> ReleaseAsync(string queue, QueuedMessage message, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>The queue's approximate message count (visible or not); 0 when it does not exist.</summary>
    Task<int> CountAsync(string queue, CancellationToken cancellationToken);
}

/// <summary>
/// A message as read. <see cref="PopReceipt"/> is null for a peeked message (which cannot be deleted or released).
/// </summary>
public sealed record QueuedMessage(string Id, string? PopReceipt, string Text, long DequeueCount, DateTimeOffset? InsertedOn);
