using Microsoft.Extensions.Options;
using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Events.Webhooks;

namespace ServerlessRegistry.Events;

/// <summary>
/// The admin API's handlers for event destinations (<see cref="AdminRoutes"/>): every destination listed (settings and
/// stored), stored webhooks created, replaced and removed, and apply's plan for them. Failed deliveries are in
/// EventEndpointAdmin.Deliveries.cs.
/// </summary>
/// <remarks>
/// A route's {name} is a webhook's name ("ci") or a destination's ("webhook:ci", "eventgrid", "replication:backup").
/// Writes are one row each, idempotent (PUT again: 200, same view); concurrent writes of one name: the last wins. This
/// instance uses a change at once; the others within Events:EndpointRefreshInterval.
/// </remarks>
internal static partial class EventEndpointAdmin
{
    public const string ApplyKind = "eventEndpoint";
    private const string WebhookPrefix = "webhook:";

    /// <summary>
    /// Every destination. The paging key is the destination qualified by its source: a stored webhook may share its name
    /// with one added to settings later (it is then listed as shadowed), and a key shared by two entries would skip one.
    /// </summary>
    public static async Task<AdminResult> ListEventEndpoints(AdminRequest request) =>
        AdminResult.Ok(request.Paging().Of(await AllAsync(request), v => v.Destination + " " + (v.Source == EventEndpointSource.Settings ? "settings" : "stored")));

    public static async Task<AdminResult> GetEventEndpoint(AdminRequest request)
    {
        var name = request.Route("name");
        var all = await AllAsync(request);
        return AdminResult.Ok(all.FirstOrDefault(v => v.Destination == name) ?? all.FirstOrDefault(v => v.Kind == EventEndpointKind.Webhook && v.Name == name)
            ?? Fail.With<EventEndpointView>(ErrorKind.NotFound, $"no event endpoint is named '{name}'"));
    }

    public static async Task<AdminResult> PutEventEndpoint(AdminRequest request)
    {
        var name = WebhookName(request.Route("name"));
        var spec = await request.BodyAsync<EventEndpointSpec>();
        var webhook = Check("", name, spec, Options(request));
        var store = request.Service<StoredWebhookStore>();
        bool existed;
        try
        {
            existed = await store.GetAsync(name, request.Aborted) is not null;
        }
        catch (FormatException)
        {
            existed = true; // an unreadable row: writing it anew is how it is repaired
        }

        await WriteAsync(request, webhook, request.Aborted);
        var view = View(await store.GetAsync(name, request.Aborted) ?? webhook);
        return existed ? AdminResult.Ok(view) : AdminResult.Created(view);
    }

    public static async Task<AdminResult> DeleteEventEndpoint(AdminRequest request)
    {
        var name = request.Route("name");
        if (Settings(Options(request)).FirstOrDefault(v => v.Destination == name || v.Kind == EventEndpointKind.Webhook && v.Name == name) is { } configured)
        {
            Fail.With(ErrorKind.Conflict, $"'{configured.Destination}' is in the registry's settings (Events:…); change it there");
        }

        if (!await request.Service<StoredWebhookStore>().RemoveAsync(WebhookName(name), request.Aborted))
        {
            Fail.With(ErrorKind.NotFound, $"no stored webhook is named '{name}'");
        }

        Changed(request);
        return AdminResult.NoContent;
    }

    /// <summary>
    /// apply's eventEndpoints: every entry checked first (a bad one throws INVALID "eventEndpoints.{name}: …" and nothing
    /// changes), then compared with the stored webhook of that name. Each run is one upsert.
    /// </summary>
    public static async Task<IReadOnlyList<ApplyStep>> PlanAsync(IReadOnlyDictionary<string, EventEndpointSpec> specs, AdminRequest request)
    {
        if (specs.Count == 0)
        {
            return [];
        }

        var options = Options(request);
        var wanted = specs.Select(s => Check($"eventEndpoints.{s.Key}: ", s.Key, s.Value, options)).ToList();
        var stored = (await LoadAsync(request)).ToDictionary(w => w.Name, StringComparer.Ordinal);
        return [.. wanted.Select(w => stored.GetValueOrDefault(w.Name) switch
        {
            null => new ApplyStep(new ApplyChange(ApplyKind, w.Name, ApplyAction.Create), Run(w)),
            var old when w.SameAs(old) => ApplyStep.Unchanged(ApplyKind, w.Name),
            var old => new ApplyStep(new ApplyChange(ApplyKind, w.Name, ApplyAction.Update, w.Differences(old)), Run(w)),
        })];

        Func<CancellationToken, Task<string?>> Run(StoredWebhook webhook) => async ct =>
        {
            await WriteAsync(request, webhook, ct);
            return null;
        };
    }

    /// <summary>The spec checked and normalized; INVALID naming the field, CONFLICT for a name held by a webhook in settings.</summary>
    private static StoredWebhook Check(string where, string name, EventEndpointSpec spec, EventsOptions options)
    {
        var problems = StoredWebhookRules.Problems(where, name, spec.Url, spec.SecretSetting, spec.Actions, spec.Repositories, spec.HeaderSettings).ToList();
        if (problems.Count > 0)
        {
            Fail.With(ErrorKind.Invalid, string.Join("; ", problems));
        }

        if (options.Webhooks.Any(w => w.Name == name))
        {
            Fail.With(where.Length == 0 ? ErrorKind.Conflict : ErrorKind.Invalid, $"{where}the webhook '{name}' is in the registry's settings (Events:Webhooks); pick another name or change it there");
        }

        return StoredWebhookRules.Normalize(name, spec.Url, spec.SecretSetting, spec.Actions, spec.Repositories, spec.HeaderSettings);
    }

    private static async Task WriteAsync(AdminRequest request, StoredWebhook webhook, CancellationToken ct)
    {
        await request.Service<StoredWebhookStore>().PutAsync(webhook, ct);
        Changed(request);
    }

    /// <summary>This instance re-reads at once, and its delivery loop wakes if it was idle.</summary>
    private static void Changed(AdminRequest request)
    {
        request.Service<StoredWebhookCache>().Invalidate();
        request.Service<EventSignal>().Notify();
    }

    /// <summary>"ci" from "ci" or "webhook:ci"; INVALID for another destination's name ("eventgrid", "replication:…"), which only settings hold.</summary>
    private static string WebhookName(string name) =>
        name.StartsWith(WebhookPrefix, StringComparison.Ordinal) ? name[WebhookPrefix.Length..]
        : name == "eventgrid" || name.Contains(':', StringComparison.Ordinal)
            ? Fail.With<string>(ErrorKind.Invalid, $"'{name}' is not a webhook's name; only webhooks are stored here (Event Grid and replication are in settings)")
            : name;

    /// <summary>
    /// Every stored webhook; a row that no longer reads is refused naming it and the repair (as policies do): not the
    /// caller's fault, and not one a retry cures. PUT of that name overwrites it.
    /// </summary>
    private static async Task<IReadOnlyList<StoredWebhook>> LoadAsync(AdminRequest request)
    {
        try
        {
            return await request.Service<StoredWebhookStore>().LoadAsync(request.Aborted);
        }
        catch (FormatException e)
        {
            return Fail.With<IReadOnlyList<StoredWebhook>>(ErrorKind.Internal, e.Message.Split('\n')[0].Trim());
        }
    }

    private static EventsOptions Options(AdminRequest request) => request.Service<IOptions<EventsOptions>>().Value;

    /// <summary>Settings first, then stored webhooks; a stored one whose name a settings webhook took later is marked shadowed (settings win).</summary>
    private static async Task<List<EventEndpointView>> AllAsync(AdminRequest request)
    {
        var options = Options(request);
        var configured = options.Webhooks.Select(w => w.Name).ToHashSet(StringComparer.Ordinal);
        return [.. Settings(options), .. (await LoadAsync(request)).Select(w => View(w) with { Shadowed = configured.Contains(w.Name) ? true : null })];
    }

    private static EventEndpointView View(StoredWebhook w) =>
        new(w.Name, WebhookPrefix + w.Name, EventEndpointKind.Webhook, EventEndpointSource.Stored, w.Url.OriginalString, w.Actions, w.Repositories,
            w.SecretSetting, w.HeaderSettings.Count == 0 ? null : w.HeaderSettings, UpdatedAt: w.UpdatedAt);

    /// <summary>The destinations in settings, secrets left out: a signing secret shows as "configured", header values as "(settings)".</summary>
    private static IEnumerable<EventEndpointView> Settings(EventsOptions options)
    {
        foreach (var w in options.Webhooks)
        {
            yield return new(w.Name, WebhookPrefix + w.Name, EventEndpointKind.Webhook, EventEndpointSource.Settings, w.Url?.GetLeftPart(UriPartial.Authority) ?? "",
                [.. w.Actions], [.. w.Repositories], string.IsNullOrEmpty(w.Secret) ? null : "configured",
                w.Headers.Count == 0 ? null : w.Headers.ToDictionary(h => h.Key, _ => "(settings)"));
        }

        if (options.EventGrid?.Endpoint is { } topic)
        {
            yield return new("eventgrid", "eventgrid", EventEndpointKind.EventGrid, EventEndpointSource.Settings, topic.GetLeftPart(UriPartial.Authority),
                [.. options.EventGrid.Actions], [.. options.EventGrid.Repositories]);
        }

        foreach (var r in options.Replication)
        {
            yield return new(r.Name, "replication:" + r.Name, EventEndpointKind.Replication, EventEndpointSource.Settings, r.Destination?.GetLeftPart(UriPartial.Authority) ?? "",
                ["push"], [.. r.Repositories], Tags: [.. r.Tags]);
        }
    }
}
