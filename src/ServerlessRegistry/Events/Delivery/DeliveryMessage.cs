using System.Text;
using System.Text.Json;
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

    public string ToJson() => JsonSerializer.Serialize(this, EventsJson.Default.DeliveryMessage);

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

            var parsed = JsonSerializer.Deserialize(text, EventsJson.Default.DeliveryMessage);
            problem = parsed switch
            {
                null => "not a JSON object",
                { Attempt: < 1 } => $"attempt {parsed.Attempt} is not positive",
                { Destinations.Count: 0 } => "no destinations",
                { Events.Count: 0 } => "no events",
                _ when parsed.Destinations.Any(d => string.IsNullOrEmpty(d?.Name)) => "a destination without a name",
                _ when parsed.Events.Any(e => e is null || string.IsNullOrEmpty(e.Id)) => "an event without an id",
                _ => "",
            };
            if (problem.Length > 0)
            {
                return false;
            }

            message = parsed!;
            return true;
        }
        catch (JsonException e)
        {
            problem = e.Message;
            return false;
        }
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
        if (events.Count == 1 || Encoding.UTF8.GetByteCount(message.ToJson()) <= IQueueStore.MaxMessageBytes - ErrorReserveBytes)
        {
            return [message];
        }

        var half = events.Count / 2;
        return [.. Split([.. events.Take(half)], destinations), .. Split([.. events.Skip(half)], destinations)];
    }

    /// <summary>An error text short enough for a message.</summary>
    public static string Cut(string error) => error.Length <= MaxErrorLength ? error : error[..(MaxErrorLength - 1)] + "…";
}

/// <summary>A destination a message is for, by <see cref="IEventDestination.Name"/>, with its last error.</summary>
internal sealed record DeliveryTarget(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("error")] string? Error = null);
