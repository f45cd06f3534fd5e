using System.Text.Json.Serialization;

namespace ServerlessRegistry.Events;

/// <summary>
/// One event in distribution's notification shape, so tools written for distribution and ACR webhooks read it unchanged.
/// The envelope is <see cref="EventEnvelope"/>; property names are distribution's.
/// </summary>
internal sealed record RegistryEvent
{
    /// <summary>Unique per event and kept across retries and redeliveries: receivers de-duplicate on it.</summary>
    [JsonPropertyName("id")] public required string Id { get; init; }

    [JsonPropertyName("timestamp")] public required DateTimeOffset Timestamp { get; init; }

    /// <summary>push, pull, mount, delete or fill.</summary>
    [JsonPropertyName("action")] public required string Action { get; init; }

    [JsonPropertyName("target")] public required EventTarget Target { get; init; }

    [JsonPropertyName("request")] public EventRequest? Request { get; init; }

    [JsonPropertyName("actor")] public EventActor? Actor { get; init; }

    [JsonPropertyName("source")] public EventSource? Source { get; init; }
}

internal sealed record EventTarget
{
    [JsonPropertyName("mediaType")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? MediaType { get; init; }

    [JsonPropertyName("digest")] public required string Digest { get; init; }

    [JsonPropertyName("size")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Size { get; init; }

    /// <summary>Same as size; distribution and ACR send both.</summary>
    [JsonPropertyName("length")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Length { get; init; }

    [JsonPropertyName("repository")] public required string Repository { get; init; }

    [JsonPropertyName("url")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Url { get; init; }

    [JsonPropertyName("tag")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Tag { get; init; }

    /// <summary>A mount's source repository.</summary>
    [JsonPropertyName("fromRepository")] [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? FromRepository { get; init; }
}

internal sealed record EventRequest
{
    [JsonPropertyName("id")] public string? Id { get; init; }
    [JsonPropertyName("addr")] public string? Addr { get; init; }
    [JsonPropertyName("host")] public string? Host { get; init; }
    [JsonPropertyName("method")] public string? Method { get; init; }
    [JsonPropertyName("useragent")] public string? UserAgent { get; init; }
}

internal sealed record EventActor
{
    [JsonPropertyName("name")] public string? Name { get; init; }
}

internal sealed record EventSource
{
    [JsonPropertyName("addr")] public string? Addr { get; init; }
    [JsonPropertyName("instanceID")] public string? InstanceId { get; init; }
}

/// <summary>What a webhook receives: <c>{"events":[…]}</c> with media type <see cref="MediaType"/>.</summary>
internal sealed record EventEnvelope([property: JsonPropertyName("events")] IReadOnlyList<RegistryEvent> Events)
{
    public const string MediaType = "application/vnd.docker.distribution.events.v2+json";
}
