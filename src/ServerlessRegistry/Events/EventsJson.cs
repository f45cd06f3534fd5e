using System.Text.Json.Serialization;
using ServerlessRegistry.Events.Delivery;

namespace ServerlessRegistry.Events;

/// <summary>The events feature's JSON: the webhook envelope, the queue messages and the stored webhooks' lists, source-generated.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventEnvelope))]
[JsonSerializable(typeof(DeliveryMessage))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class EventsJson : JsonSerializerContext;
