using Microsoft.Extensions.Options;

namespace ServerlessRegistry.Events;

/// <summary>
/// Checks the delivery settings and the webhooks when the host starts: one line per mistake, naming the key
/// (Events:Webhooks:0:Url). Event Grid and replication rules are checked by their own parts.
/// </summary>
internal sealed class EventsOptionsCheck : IValidateOptions<EventsOptions>
{
    /// <summary>
    /// The longest <see cref="EventsOptions.DeliveryTimeout"/>: a message stays hidden for its slowest destination's
    /// timeout plus a margin, and a webhook that needs longer than this to answer has failed.
    /// </summary>
    public static readonly TimeSpan MaxDeliveryTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Headers the webhook sets itself; configuring them would break the body's framing or its signature.</summary>
    public static readonly string[] ReservedHeaders = ["Content-Type", "Content-Length", "Host", Webhooks.WebhookDestination.SignatureHeader];

    /// <summary>The bounds of <see cref="EventsOptions.EndpointRefreshInterval"/>: below, every instance would query the table constantly.</summary>
    public static readonly TimeSpan MinEndpointRefreshInterval = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan MaxEndpointRefreshInterval = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var problems = Problems(options).ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    public static IEnumerable<string> Problems(EventsOptions options)
    {
        if (options.MaxAttempts is < 1 or > 20)
        {
            yield return $"Events:MaxAttempts must be between 1 and 20; got {options.MaxAttempts}.";
        }

        if (options.FirstRetryAfter < TimeSpan.Zero)
        {
            yield return $"Events:FirstRetryAfter must not be negative; got {options.FirstRetryAfter}.";
        }

        if (options.MaxRetryAfter < TimeSpan.Zero)
        {
            yield return $"Events:MaxRetryAfter must not be negative; got {options.MaxRetryAfter}.";
        }

        if (options.DeliveryTimeout <= TimeSpan.Zero || options.DeliveryTimeout > MaxDeliveryTimeout)
        {
            yield return $"Events:DeliveryTimeout must be positive and at most {MaxDeliveryTimeout}; got {options.DeliveryTimeout}.";
        }

        if (options.EndpointRefreshInterval < MinEndpointRefreshInterval || options.EndpointRefreshInterval > MaxEndpointRefreshInterval)
        {
            yield return $"Events:EndpointRefreshInterval must be between {MinEndpointRefreshInterval} and {MaxEndpointRefreshInterval}; got {options.EndpointRefreshInterval}.";
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var webhook = options.Webhooks[i];
            var key = $"Events:Webhooks:{i}";
            if (string.IsNullOrWhiteSpace(webhook.Name))
            {
                yield return $"{key}:Name is required (it names the webhook in logs and in 'registry events failed').";
            }
            else if (!names.Add(webhook.Name))
            {
                yield return $"{key}:Name '{webhook.Name}' is used by another webhook; names must be unique.";
            }

            if (webhook.Url is null)
            {
                yield return $"{key}:Url is required.";
            }
            else if (Webhooks.StoredWebhookRules.UrlProblem(webhook.Url) is { } problem)
            {
                yield return $"{key}:Url {problem}.";
            }

            foreach (var header in webhook.Headers.Keys)
            {
                if (ReservedHeaders.FirstOrDefault(r => string.Equals(r, header, StringComparison.OrdinalIgnoreCase)) is { } reserved)
                {
                    yield return $"{key}:Headers must not set {reserved}; the registry sets it.";
                }
                else if (!IsToken(header))
                {
                    yield return $"{key}:Headers has '{header}', which is not a valid header name (letters, digits and !#$%&'*+-.^_`|~).";
                }
            }

            foreach (var problem in EventFilter.Problems(key, webhook.Actions, webhook.Repositories))
            {
                yield return problem;
            }
        }
    }

    /// <summary>RFC 9110's token: what a header name may be.</summary>
    public static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c));
}
