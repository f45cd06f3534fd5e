using System.Text;
using System.Text.Json;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events.Delivery;

/// <summary>
/// One queue message: events to deliver to some destinations, and how many tries they had. The live queue and the
/// dead-letter queue hold the same shape, so a dead letter can be moved back as it is.
/// </summary>
/// <remarks>
/// Wire format, version 1 (JSON, camelCase, nulls omitted):
/// <code>
/// {"version":1,"attempt":1,
///  "destinations":[{"name":"webhook:ci","error":"503 Service Unavailable"}],
///  "events":[{ distribution's event: id, timestamp, action, target, request, actor, source }]}
/// </code>
/// <c>attempt</c> is the try this message is for (1 for a new message); in a dead letter it is the number of tries made.
/// <c>error</c> is the destination's last error (absent on a first try). A reader refuses any other version.
/// </remarks>
internal sealed record DeliveryMessage
{
    public const int CurrentVersion = 1;

    /// <summary>Room kept free in a message for the error texts a follow-up adds.</summary>
    public const int ErrorReserveBytes = 4 * 1024;

    /// <summary>An error text is cut to this many characters, so follow-ups stay within a message.</summary>
    public const int MaxErrorLength = 300;

    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;

    [JsonPropertyName("attempt")] public int Attempt { get; init; } = 1;

    [JsonPropertyName("destinations")] public required IReadOnlyList<DeliveryTarget> Destinations { get; init; }

    [JsonPropertyName("events")] public required IReadOnlyList<RegistryEvent> Events { get; init; }

    /// <summary>
    /// The queue's JSON: nulls omitted, and only what JSON requires escaped (the default encoder also escapes &lt;, &gt;,
    /// &amp;, ' and non-ASCII for HTML, multiplying an error text's size). Queue text never lands in a page unencoded.
    /// </summary>
    private static readonly EventsJson QueueJson = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public string ToJson() => JsonSerializer.Serialize(this, QueueJson.DeliveryMessage);

    /// <summary>The size of <see cref="ToJson"/> in bytes, as the queue counts it.</summary>
    public int ByteCount() => Encoding.UTF8.GetByteCount(ToJson());

    /// <summary>Reads a message; false, with a reason, for text that is not a version-1 message with destinations and events.</summary>
    public static bool TryParse(string text, out DeliveryMessage message, out string problem)
    {
        message = null!;
        try
        {
            // The version first: a message from a later format says so instead of failing on a field it lacks.
            using (var document = JsonDocument.Parse(text))
            {
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    problem = "not a JSON object";
                    return false;
                }

                if (!root.TryGetProperty("version", out var version) || !version.TryGetInt32(out var number) || number != CurrentVersion)
                {
                    problem = $"version {(root.TryGetProperty("version", out var v) ? v.GetRawText() : "missing")} is not {CurrentVersion}";
                    return false;
                }
            }

            var parsed = JsonSerializer.Deserialize(text, QueueJson.DeliveryMessage);
            problem = Problem(parsed) ?? "";
            if (problem.Length > 0)
            {
                return false;
            }

            message = parsed!;
            return true;
        }
        catch (Exception e)
        {
            // Whatever the text holds, a reader (the delivery, the CLI listing dead letters) gets a reason, never an exception.
            problem = e.Message;
            return false;
        }
    }

    /// <summary>What makes a parsed message unusable; null when nothing. JSON nulls pass the serializer, so each is checked.</summary>
    private static string? Problem(DeliveryMessage? parsed)
    {
        if (parsed is null)
        {
            return "not a JSON object";
        }

        if (parsed.Attempt < 1)
        {
            return $"attempt {parsed.Attempt} is not positive";
        }

        if (parsed.Destinations is not { Count: > 0 } destinations)
        {
            return "no destinations";
        }

        if (parsed.Events is not { Count: > 0 } events)
        {
            return "no events";
        }

        if (destinations.Any(d => string.IsNullOrEmpty(d?.Name)))
        {
            return "a destination without a name";
        }

        foreach (var e in events)
        {
            if (e is null || string.IsNullOrEmpty(e.Id))
            {
                return "an event without an id";
            }

            if (string.IsNullOrEmpty(e.Action) || e.Target is null || string.IsNullOrEmpty(e.Target.Repository) || e.Target.Digest is null)
            {
                return $"event {e.Id} lacks its action, target, repository or digest";
            }
        }

        return null;
    }

    /// <summary>
    /// Messages carrying <paramref name="events"/> in order, each within <see cref="IQueueStore.MaxMessageBytes"/> less
    /// <see cref="ErrorReserveBytes"/>: one message unless that is too big, then halves until each fits. A single event
    /// too big for a message is sent alone, and the queue refuses it (an event is a few hundred bytes; this cannot happen
    /// unless a header or tag is absurd).
    /// </summary>
    public static IEnumerable<DeliveryMessage> Split(IReadOnlyList<RegistryEvent> events, IReadOnlyList<DeliveryTarget> destinations)
    {
        var message = new DeliveryMessage { Destinations = destinations, Events = events };
        if (events.Count == 1 || message.ByteCount() <= IQueueStore.MaxMessageBytes - ErrorReserveBytes)
        {
            return [message];
        }

        var half = events.Count / 2;
        return [.. Split([.. events.Take(half)], destinations), .. Split([.. events.Skip(half)], destinations)];
    }

    /// <summary>
    /// <paramref name="message"/> as messages within <see cref="IQueueStore.MaxMessageBytes"/>, for follow-ups and dead
    /// letters, whose error texts may have grown it past the room <see cref="Split"/> kept: halves its events until each
    /// fits, then, for a single event, its destinations. Each part keeps the attempt and the events' ids.
    /// </summary>
    public static IEnumerable<DeliveryMessage> Fit(DeliveryMessage message)
    {
        if (message.ByteCount() <= IQueueStore.MaxMessageBytes)
        {
            return [message];
        }

        if (message.Events.Count > 1)
        {
            var half = message.Events.Count / 2;
            return [.. Fit(message with { Events = [.. message.Events.Take(half)] }), .. Fit(message with { Events = [.. message.Events.Skip(half)] })];
        }

        if (message.Destinations.Count > 1)
        {
            var half = message.Destinations.Count / 2;
            return [.. Fit(message with { Destinations = [.. message.Destinations.Take(half)] }), .. Fit(message with { Destinations = [.. message.Destinations.Skip(half)] })];
        }

        // One event for one destination with a cut error: only an absurd event gets here, and the queue refuses it.
        return [message];
    }

    /// <summary>An error text short enough for a message.</summary>
    public static string Cut(string error) => error.Length <= MaxErrorLength ? error : error[..(MaxErrorLength - 1)] + "…";
}

/// <summary>A destination a message is for, by <see cref="IEventDestination.Name"/>, with its last error.</summary>
internal sealed record DeliveryTarget(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("error")] string? Error = null);
