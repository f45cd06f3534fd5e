namespace ServerlessRegistry.Events;

/// <summary>
/// The "Events" section: where change events go (webhooks, Event Grid, replication rules) and how hard delivery tries.
/// Bound and checked at start. With no destination nothing is queued and nothing polls.
/// </summary>
internal sealed class EventsOptions
{
    /// <summary>Whether manifest pulls (GETs) are events too. Off by default: every pull would cost a queue write.</summary>
    public bool Pulls { get; set; }

    public List<WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>An Event Grid topic to publish CloudEvents to; null for none.</summary>
    public EventGridOptions? EventGrid { get; set; }

    public List<ReplicationOptions> Replication { get; set; } = [];

    /// <summary>Tries per destination before a message goes to the dead-letter queue (1–20).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Wait before the second try; each later one waits twice as long, up to <see cref="MaxRetryAfter"/>.</summary>
    public TimeSpan FirstRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long one delivery to one destination may take before it counts as failed.</summary>
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often each instance re-reads the stored webhooks (those managed through the admin API): a change made on
    /// another instance takes effect here within this. 0.1 s to 10 min; shorter than the default only in tests.
    /// </summary>
    public TimeSpan EndpointRefreshInterval { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>One webhook endpoint, as distribution's notifications.endpoints entry.</summary>
internal sealed class WebhookOptions
{
    /// <summary>Unique among webhooks; shown by the CLI as "webhook:{Name}".</summary>
    public string Name { get; set; } = "";

    public Uri? Url { get; set; }

    /// <summary>Sent with every delivery (an Authorization header, say).</summary>
    public Dictionary<string, string> Headers { get; set; } = [];

    /// <summary>When set, each delivery carries X-Registry-Signature-256: sha256={hex HMAC-SHA256 of the body}.</summary>
    public string? Secret { get; set; }

    /// <summary>Actions wanted (push, pull, mount, delete, fill); empty: all of them.</summary>
    public List<string> Actions { get; set; } = [];

    /// <summary>Repository patterns (doublestar globs); empty: every repository.</summary>
    public List<string> Repositories { get; set; } = [];
}

/// <summary>An Event Grid topic; the registry's identity sends with a token (EventGrid Data Sender), never a key.</summary>
internal sealed class EventGridOptions
{
    /// <summary>The topic endpoint, https://{topic}.{region}-1.eventgrid.azure.net/api/events.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Actions wanted; empty: push and delete, the two ACR publishes.</summary>
    public List<string> Actions { get; set; } = [];

    public List<string> Repositories { get; set; } = [];
}

/// <summary>A push replication rule: what to copy, and to which registry.</summary>
internal sealed class ReplicationOptions
{
    /// <summary>Unique among rules; shown by the CLI as "replication:{Name}".</summary>
    public string Name { get; set; } = "";

    /// <summary>The destination registry's base URL (https://host[:port]; http only for loopback).</summary>
    public Uri? Destination { get; set; }

    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Repository patterns (doublestar globs) to copy; at least one.</summary>
    public List<string> Repositories { get; set; } = [];

    /// <summary>Tag patterns to copy; empty: every tag.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>
    /// How long one delivery (every tag of one push event, with all its content) may take; unlike a webhook's answer, a
    /// copy of large layers takes minutes. Retries resume where a copy stopped: content already copied is skipped.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>The longest <see cref="Timeout"/>: a delivery must end within the queue function's 30-minute limit (host.json).</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(25);

    /// <summary>Prepended to the repository name at the destination ("backup" sends team/app to backup/team/app); empty: same name.</summary>
    public string Namespace { get; set; } = "";
}
