using System.Text.Json.Serialization;
using ServerlessRegistry.Events.Delivery;

namespace ServerlessRegistry.Events;

/// <summary>The events feature's JSON: the webhook envelope and the queue messages, source-generated.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventEnvelope))]
[JsonSerializable(typeof(DeliveryMessage))]
internal sealed partial class EventsJson : JsonSerializerContext;
