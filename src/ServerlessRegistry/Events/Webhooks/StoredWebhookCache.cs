using Microsoft.Extensions.Options;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Events.Webhooks;

/// <summary>
/// The stored webhooks this instance delivers to, as destinations, re-read from <see cref="StoredWebhookStore"/> so that a
/// change made anywhere takes effect everywhere within <see cref="EventsOptions.EndpointRefreshInterval"/> (60 s).
/// </summary>
/// <remarks>
/// <para>Thread-safe; concurrent callers share one load. <see cref="Fresh"/> never does I/O: it answers the snapshot while
/// it is younger than the interval, starting one background re-read from half of it on, so a busy instance never waits;
/// past the interval it answers null and the caller awaits <see cref="CurrentAsync"/> (one table query per interval on an
/// idle instance). A snapshot's age counts from when its load started (see <see cref="RefreshingValue{T}"/>).</para>
/// <para>A failed load is logged and keeps the last snapshot (none at first), retried at most every few seconds: events
/// still reach the webhooks in settings, and stored ones known before the failure.</para>
/// <para>Secrets are read from configuration when a snapshot is built: <c>secretSetting</c> and the header settings name
/// configuration keys (app settings, Key Vault references in Azure). A webhook whose setting is missing is still a
/// destination, so its events wait in the queue and fail visibly (retries, then <c>events failed</c>) rather than
/// being sent unsigned.</para>
/// </remarks>
internal sealed class StoredWebhookCache(StoredWebhookStore store, IConfiguration configuration, TimeProvider time, IOptions<EventsOptions> options,
    ILogger<StoredWebhookCache> logger)
{
    private readonly RefreshingValue<Snapshot> _snapshot = new(
        async ct =>
        {
            var startedAt = time.GetUtcNow();
            var webhooks = await store.LoadAsync(ct).ConfigureAwait(false);
            return new Snapshot(webhooks, webhooks.Select(w => Destination(w, configuration)).ToDictionary(d => d.Name, IEventDestination (d) => d, StringComparer.Ordinal), startedAt);
        },
        time, options.Value.EndpointRefreshInterval / 2, options.Value.EndpointRefreshInterval,
        e => EventsLog.StoredWebhooksUnreadable(logger, e, e.Message));

    /// <summary>One load's result: the webhooks as stored and as destinations, by destination name ("webhook:{name}").</summary>
    public sealed record Snapshot(IReadOnlyList<StoredWebhook> Webhooks, IReadOnlyDictionary<string, IEventDestination> Destinations, DateTimeOffset StartedAt)
    {
        public static Snapshot Empty { get; } = new([], new Dictionary<string, IEventDestination>(), DateTimeOffset.MinValue);
    }

    /// <summary>The last snapshot loaded, however old (none: empty). No I/O.</summary>
    public Snapshot Last => _snapshot.Last ?? Snapshot.Empty;

    /// <summary>The snapshot while younger than the interval, else null (the caller awaits <see cref="CurrentAsync"/>). No I/O.</summary>
    public Snapshot? Fresh => _snapshot.Fresh;

    /// <summary>A snapshot younger than the interval, loading one when needed; on a failed load the last one (see remarks).</summary>
    /// <remarks>Cancelling <paramref name="ct"/> abandons this caller's wait, not the shared load.</remarks>
    public async ValueTask<Snapshot> CurrentAsync(CancellationToken ct) =>
        Fresh ?? await ReloadAsync(TimeSpan.Zero, ct).ConfigureAwait(false);

    /// <summary>Re-reads the table unless the snapshot is younger than <paramref name="olderThan"/> (a destination a message names is not known yet).</summary>
    public async Task<Snapshot> ReloadAsync(TimeSpan olderThan, CancellationToken ct)
    {
        try
        {
            return await _snapshot.ReloadAsync(olderThan, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Logged when the load failed; within a few seconds of it, the failure is answered without re-reading.
            return Last;
        }
    }

    /// <summary>Forgets the snapshot, so the next call re-reads (after this process changed a stored webhook).</summary>
    public void Invalidate() => _snapshot.Invalidate();

    private static WebhookDestination Destination(StoredWebhook webhook, IConfiguration configuration)
    {
        var missing = new List<string>();
        var refused = new List<string>();
        // A row written before keys were confined to Events:Secrets: is not resolved: its URL was chosen over the admin API.
        string? Read(string key) => !SecretSettings.IsIn(SecretSettings.EventsSection, key) ? Refused(key)
            : configuration[key] is { Length: > 0 } value ? value : Missing(key);
        string? Refused(string key)
        {
            refused.Add(SecretSettings.NotRead(SecretSettings.EventsSection, key));
            return null;
        }

        string? Missing(string key)
        {
            missing.Add(key);
            return null;
        }

        var settings = new WebhookOptions
        {
            Name = webhook.Name,
            Url = webhook.Url,
            Secret = webhook.SecretSetting is { } secret ? Read(secret) : null,
            Headers = webhook.HeaderSettings.Select(h => (h.Key, Value: Read(h.Value))).Where(h => h.Value is not null).ToDictionary(h => h.Key, h => h.Value!),
            Actions = [.. webhook.Actions],
            Repositories = [.. webhook.Repositories],
        };
        var notSet = missing.Count == 0 ? null : $"the setting{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing.Select(m => $"'{m}'"))} it names {(missing.Count == 1 ? "is" : "are")} not set on this instance";
        var problems = refused.Append(notSet).OfType<string>().ToList();
        var problem = problems.Count == 0 ? null : string.Join("; ", problems);
        return new WebhookDestination(settings, WebhookDestinations.Client.Value, problem);
    }
}
