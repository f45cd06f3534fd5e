using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Azure.Queue;

/// <summary>
/// <see cref="IQueueStore"/> on Azure Queue storage (or Azurite). The client encodes message text as base64, which is
/// what the Functions queue trigger decodes by default, so messages sent here reach a queue-triggered function as text.
/// </summary>
/// <remarks>
/// A queue is created by the first send that finds it missing (one extra round trip, once per queue per process
/// lifetime at most); reads on a missing queue answer empty. Messages never expire on their own: an undelivered event
/// stays until it is delivered or an operator deletes it. Thread-safe: the service client is.
/// </remarks>
internal sealed class AzureQueueStore(QueueServiceClient service, StorageErrors errors) : IQueueStore
{
    /// <summary>"Never expires", as the service spells it.</summary>
    private static readonly TimeSpan NoExpiry = TimeSpan.FromSeconds(-1);

    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    public async Task SendAsync(string queue, string text, TimeSpan delay, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (delay < TimeSpan.Zero || delay > MaxDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "A message's delay is between zero and 7 days.");
        }

        var client = service.GetQueueClient(queue);
        TimeSpan? visibility = delay > TimeSpan.Zero ? delay : null;
        try
        {
            try
            {
                await client.SendMessageAsync(text, visibility, NoExpiry, cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                await client.SendMessageAsync(text, visibility, NoExpiry, cancellationToken);
            }
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw errors.Translate(e, $"Sending a message to queue '{queue}'");
        }
    }

    public async Task<IReadOnlyList<QueuedMessage>> ReceiveAsync(string queue, int max, TimeSpan visibility, CancellationToken cancellationToken)
    {
        CheckMax(max);
        try
        {
            var messages = await service.GetQueueClient(queue).ReceiveMessagesAsync(max, visibility, cancellationToken);
            return [.. messages.Value.Select(m => new QueuedMessage(m.MessageId, m.PopReceipt, m.Body.ToString(), m.DequeueCount, m.InsertedOn))];
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw errors.Translate(e, $"Receiving messages from queue '{queue}'");
        }
    }

    public async Task<IReadOnlyList<QueuedMessage>> PeekAsync(string queue, int max, CancellationToken cancellationToken)
    {
        CheckMax(max);
        try
        {
            var messages = await service.GetQueueClient(queue).PeekMessagesAsync(max, cancellationToken);
            return [.. messages.Value.Select(m => new QueuedMessage(m.MessageId, null, m.Body.ToString(), m.DequeueCount, m.InsertedOn))];
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return [];
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw errors.Translate(e, $"Peeking at queue '{queue}'");
        }
    }

    public async Task<bool> DeleteAsync(string queue, QueuedMessage message, CancellationToken cancellationToken)
    {
        var receipt = ReceiptOf(message);
        try
        {
            await service.GetQueueClient(queue).DeleteMessageAsync(message.Id, receipt, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (IsGoneOrTaken(e))
        {
            return false;
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw errors.Translate(e, $"Deleting message {message.Id} from queue '{queue}'");
        }
    }

    public async Task<bool> ReleaseAsync(string queue, QueuedMessage message, TimeSpan delay, CancellationToken cancellationToken)
    {
        var receipt = ReceiptOf(message);
        try
        {
            await service.GetQueueClient(queue).UpdateMessageAsync(message.Id, receipt, (string?)null, delay, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (IsGoneOrTaken(e))
        {
            return false;
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw errors.Translate(e, $"Releasing message {message.Id} in queue '{queue}'");
        }
    }

    public async Task<int> CountAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            QueueProperties properties = await service.GetQueueClient(queue).GetPropertiesAsync(cancellationToken);
            return properties.ApproximateMessagesCount;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return 0;
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw errors.Translate(e, $"Counting the messages of queue '{queue}'");
        }
    }

    /// <summary>Deletes a queue and its messages; a missing queue is fine. For tests and clean-up.</summary>
    internal async Task DeleteQueueAsync(string queue, CancellationToken cancellationToken)
    {
        try
        {
            await service.GetQueueClient(queue).DeleteIfExistsAsync(cancellationToken);
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw errors.Translate(e, $"Deleting queue '{queue}'");
        }
    }

    /// <summary>The names of the queues starting with <paramref name="prefix"/>.</summary>
    internal async Task<IReadOnlyList<string>> ListQueuesAsync(string prefix, CancellationToken cancellationToken)
    {
        try
        {
            var names = new List<string>();
            await foreach (var item in service.GetQueuesAsync(prefix: prefix, cancellationToken: cancellationToken))
            {
                names.Add(item.Name);
            }

            return names;
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, cancellationToken))
        {
            throw errors.Translate(e, $"Listing the queues under '{prefix}'");
        }
    }

    private static void CheckMax(int max)
    {
        if (max is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "Between 1 and 32 messages are read at a time.");
        }
    }

    private static string ReceiptOf(QueuedMessage message) =>
        message.PopReceipt ?? throw new ArgumentException("A peeked message has no pop receipt; receive it first.", nameof(message));

    /// <summary>404: the message is gone. 400 PopReceiptMismatch: another receipt took it since.</summary>
    private static bool IsGoneOrTaken(RequestFailedException e) =>
        e.Status == 404 || e.Status == 400 && e.ErrorCode == QueueErrorCode.PopReceiptMismatch.ToString();
}
