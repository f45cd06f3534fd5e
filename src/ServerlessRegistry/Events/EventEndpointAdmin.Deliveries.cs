using System.Globalization;
using ServerlessRegistry.Admin;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Events.Delivery;

namespace ServerlessRegistry.Events;

/// <summary>Failed deliveries through the admin API: what <c>events failed</c> lists and <c>events redeliver</c> does.</summary>
internal static partial class EventEndpointAdmin
{
    /// <summary>One item per dead letter and destination (a malformed one: one item, with its problem), oldest first.</summary>
    public static async Task<AdminResult> ListFailedDeliveries(AdminRequest request)
    {
        var items = await request.Service<DeadLetters>().ListAsync(request.Aborted);
        return AdminResult.Ok(request.Paging().Of(items.SelectMany(Views), Key));
    }

    /// <summary>
    /// Moves the dead letters named by ids (message or event ids), or all of them, back to the live queue with their tries
    /// reset; malformed ones stay. Not idempotent by nature (a moved letter is gone from the dead-letter queue), but safe
    /// to repeat: a second call finds nothing to move and answers zero. Concurrent calls each move what they received.
    /// </summary>
    public static async Task<AdminResult> RedeliverEvents(AdminRequest request)
    {
        var body = await request.BodyAsync<RedeliverRequest>();
        if (body.All == body.Ids.Count > 0)
        {
            Fail.With(ErrorKind.Invalid, "say which: ids (message or event ids), or all: true; not both");
        }

        var deadLetters = request.Service<DeadLetters>();
        var moved = await deadLetters.RedeliverAsync(item => body.All || body.Ids.Exists(item.IsNamed), request.Aborted);
        return AdminResult.Ok(new RedeliverView(moved.Count, moved.Sum(m => m.Delivery!.Events.Count),
            [.. moved.SelectMany(m => m.Delivery!.Destinations.Select(d => d.Name)).Distinct()], deadLetters.Queue));
    }

    private static IEnumerable<FailedDeliveryView> Views(DeadLetters.Item item)
    {
        if (item.Delivery is not { } delivery)
        {
            yield return new FailedDeliveryView(item.Message.Id, 0, [], item.Message.InsertedOn, Problem: item.Problem);
            yield break;
        }

        var events = delivery.Events.Select(e => new FailedEventView(e.Id, e.Action, e.Target.Repository, e.Target.Tag, e.Target.Digest is { Length: > 0 } d ? d : null)).ToList();
        foreach (var target in delivery.Destinations)
        {
            yield return new FailedDeliveryView(item.Message.Id, delivery.Attempt, events, item.Message.InsertedOn, target.Name, target.Error);
        }
    }

    /// <summary>Oldest first, as the queue holds them; the message id and destination make the key unique.</summary>
    private static string Key(FailedDeliveryView view) =>
        $"{(view.InsertedOn?.UtcTicks ?? 0).ToString("D19", CultureInfo.InvariantCulture)}/{view.MessageId}/{view.Destination}";
}
