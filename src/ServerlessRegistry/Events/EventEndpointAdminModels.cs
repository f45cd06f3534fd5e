using System.ComponentModel;

namespace ServerlessRegistry.Events;

/// <summary>Where an event destination comes from.</summary>
internal enum EventEndpointSource
{
    /// <summary>The registry's settings (Events:…): read-only here.</summary>
    Settings,

    /// <summary>Stored through this API, apply or the CLI.</summary>
    Stored,
}

/// <summary>What an event destination is.</summary>
internal enum EventEndpointKind
{
    Webhook,
    EventGrid,
    Replication,
}

[Description("An event destination: a webhook (in settings or stored), the Event Grid topic, or a replication rule. Never carries a secret: a stored webhook names the settings holding its secrets.")]
internal sealed record EventEndpointView(
    [property: Description("The webhook's or rule's name; 'eventgrid' for the topic.")] string Name,
    [property: Description("The name queue messages and 'events failed' use: webhook:{name}, eventgrid, replication:{name}.")] string Destination,
    EventEndpointKind Kind,
    EventEndpointSource Source,
    [property: Description("Where events go. A stored webhook's URL in full; a destination in settings shows only its scheme and authority (a URL's path or query may be its secret).")] string Url,
    [property: Description("The actions sent (push, pull, mount, delete, fill); empty: the kind's default (every action for a webhook).")] IReadOnlyList<string> Actions,
    [property: Description("Repository patterns (doublestar globs); empty: every repository.")] IReadOnlyList<string> Repositories,
    [property: Description("A stored webhook's secretSetting (a configuration key's name); for a webhook in settings, 'configured' when it signs.")] string? SecretSetting = null,
    [property: Description("Header names sent with each delivery; for a stored webhook, each with the configuration key holding its value.")] IReadOnlyDictionary<string, string>? Headers = null,
    [property: Description("Replication only: tag patterns copied; empty: every tag.")] IReadOnlyList<string>? Tags = null,
    [property: Description("When a stored webhook was last written.")] DateTimeOffset? UpdatedAt = null,
    [property: Description("True for a stored webhook whose name a webhook in settings also has (added to settings later): settings win, so this one gets no events.")] bool? Shadowed = null);

[Description("A stored webhook, as PUT /event-endpoints/{name} and apply take it. The HMAC signing secret is never sent or stored: secretSetting (and each headerSettings value) is the NAME of a configuration key under Events:Secrets: holding it (app setting Events__Secrets__<name>, a Key Vault reference in Azure), read by each instance; no other key is read. The URL must be https (http only to a loopback host) without user-info. In effect on every instance within Events:EndpointRefreshInterval (60 s).")]
internal sealed record EventEndpointSpec
{
    [Description("Where to POST events: an absolute https URL (http only to a loopback host), without user-info.")]
    public required string Url { get; init; }

    [Description("The NAME of the configuration key holding the HMAC-SHA256 secret (X-Registry-Signature-256), which must be Events:Secrets:<name> (letters, digits, '-', '_', '.'), e.g. 'Events:Secrets:ci' (app setting Events__Secrets__ci); never the secret. Absent: unsigned. Deliveries fail visibly while the key is not set.")]
    public string? SecretSetting { get; init; }

    [Description("Actions to send (push, pull, mount, delete, fill); empty: all of them.")]
    public List<string> Actions { get; init; } = [];

    [Description("Repository patterns (doublestar globs); empty: every repository.")]
    public List<string> Repositories { get; init; } = [];

    [Description("Headers to send, each mapped to the NAME of the configuration key holding its value (an Authorization header's token, say): Events:Secrets:<name>, as secretSetting.")]
    public Dictionary<string, string> HeaderSettings { get; init; } = [];
}

[Description("A delivery that ran out of tries, for one destination, as 'events failed' prints it. A malformed message has no destination and carries its problem instead.")]
internal sealed record FailedDeliveryView(
    [property: Description("The dead letter's message id: pass it (or an event id) to redeliver.")] string MessageId,
    [property: Description("Tries made.")] int Attempts,
    IReadOnlyList<FailedEventView> Events,
    DateTimeOffset? InsertedOn = null,
    string? Destination = null,
    [property: Description("The destination's last error; absent when the Functions host moved the message.")] string? LastError = null,
    [property: Description("Why the message cannot be read (then it cannot be redelivered).")] string? Problem = null);

[Description("An event in a failed delivery.")]
internal sealed record FailedEventView(string Id, string Action, string Repository, string? Tag = null, string? Digest = null);

[Description("Which failed deliveries to send again: ids (message ids or event ids), or all.")]
internal sealed record RedeliverRequest
{
    public List<string> Ids { get; init; } = [];

    public bool All { get; init; }
}

[Description("What a redelivery moved back to the events queue; the events keep their ids.")]
internal sealed record RedeliverView(
    [property: Description("Dead letters moved.")] int Deliveries,
    int Events,
    [property: Description("The destinations they go to.")] IReadOnlyList<string> Destinations,
    [property: Description("The dead-letter queue.")] string Queue);
