using System.Text.Json.Serialization;
using Azure.Messaging;

namespace ServerlessRegistry.Events.EventGrid;

/// <summary>
/// A registry event as a CloudEvent 1.0, as ACR publishes it to Event Grid where ACR has a type, so subscriptions
/// written for ACR match:
/// <list type="bullet">
/// <item><c>type</c>: push → <c>Microsoft.ContainerRegistry.ImagePushed</c>, delete → <c>Microsoft.ContainerRegistry.ImageDeleted</c>
/// (ACR's); the actions ACR does not publish get the registry's own: pull → <c>ServerlessRegistry.ImagePulled</c>,
/// mount → <c>ServerlessRegistry.BlobMounted</c>, fill (the pull-through cache stored an upstream manifest) →
/// <c>ServerlessRegistry.ImageCached</c>.</item>
/// <item><c>source</c>: <c>/registries/{host}</c>, the host of the public URL (Registry:PublicUrl, or the app's host
/// name in Azure), the name clients log in to; without one, the host the event's request named, else the machine name.</item>
/// <item><c>subject</c>: <c>{repository}:{tag}</c> for a tagged event, else <c>{repository}@{digest}</c>.</item>
/// <item><c>id</c>: the event id, kept across retries and redeliveries, so subscribers can de-duplicate;
/// <c>time</c>: the event's timestamp.</item>
/// <item><c>data</c>: the event in distribution's notification shape (<see cref="RegistryEvent"/>), as JSON.</item>
/// </list>
/// </summary>
internal static class RegistryCloudEvents
{
    public const string ImagePushed = "Microsoft.ContainerRegistry.ImagePushed";
    public const string ImageDeleted = "Microsoft.ContainerRegistry.ImageDeleted";
    public const string ImagePulled = "ServerlessRegistry.ImagePulled";
    public const string BlobMounted = "ServerlessRegistry.BlobMounted";
    public const string ImageCached = "ServerlessRegistry.ImageCached";

    public static CloudEvent From(RegistryEvent e, string source)
    {
        var data = BinaryData.FromObjectAsJson(e, RegistryEventJson.Default.RegistryEvent);
        return new CloudEvent(SourceOf(e, source), TypeOf(e.Action), data, "application/json", CloudEventDataFormat.Json)
        {
            Id = e.Id,
            Time = e.Timestamp,
            Subject = SubjectOf(e.Target),
        };
    }

    public static string TypeOf(string action) => action.ToLowerInvariant() switch
    {
        "push" => ImagePushed,
        "delete" => ImageDeleted,
        "pull" => ImagePulled,
        "mount" => BlobMounted,
        "fill" => ImageCached,
        _ => "ServerlessRegistry." + action,
    };

    public static string SubjectOf(EventTarget target) =>
        !string.IsNullOrEmpty(target.Tag) ? $"{target.Repository}:{target.Tag}"
        : !string.IsNullOrEmpty(target.Digest) ? $"{target.Repository}@{target.Digest}"
        : target.Repository;

    /// <summary>The source for every event when the public URL is known; empty when each event names its own.</summary>
    public static string SourceOf(Uri? publicUrl) => publicUrl is null ? "" : "/registries/" + publicUrl.Authority;

    private static string SourceOf(RegistryEvent e, string source) =>
        source.Length > 0 ? source : "/registries/" + (e.Request?.Host is { Length: > 0 } host ? host : Environment.MachineName.ToLowerInvariant());
}

/// <summary>The event's JSON (its property names are distribution's, on the record), nulls omitted as in the webhook body.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RegistryEvent))]
internal sealed partial class RegistryEventJson : JsonSerializerContext;
