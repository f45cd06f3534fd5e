using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Events.EventGrid;

/// <summary>
/// The Event Grid destination's registrations: its source (one destination, "eventgrid", when
/// Events:EventGrid:Endpoint is set) and the check of its settings, run with the other options at start.
/// </summary>
/// <remarks>
/// The token comes from a <see cref="TokenCredential"/> in the container when there is one (tests), else
/// from DefaultAzureCredential with Storage:ManagedIdentityClientId (the app's identity in Azure). The HTTP transport
/// is the SDK's unless an <see cref="EventGridTransport"/> is registered (tests).
/// </remarks>
internal static class EventGridSetup
{
    public static IServiceCollection AddEventGrid(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<EventsOptions>, EventGridOptionsCheck>();
        services.AddSingleton<IEventDestinationSource, EventGridDestinations>();
        return services;
    }

    /// <summary>Actions a registry event can carry (RegistryEvent.Action).</summary>
    internal static readonly string[] KnownActions = ["push", "pull", "mount", "delete", "fill"];

    /// <summary>What ACR publishes to Event Grid, and so what Events:EventGrid:Actions means when empty.</summary>
    internal static readonly string[] DefaultActions = ["push", "delete"];

    /// <summary>Why the Events:EventGrid section cannot be used, or null; one line naming the key.</summary>
    internal static string? Problem(EventGridOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        if (options.Endpoint is null)
        {
            // Binding creates the section as soon as any of its keys is set; a filter without a topic is a mistake.
            return options.Actions.Count > 0 || options.Repositories.Count > 0
                ? "Events:EventGrid:Endpoint is required when Events:EventGrid:Actions or Repositories are set."
                : null;
        }

        if (!options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            return $"Events:EventGrid:Endpoint must be the topic's https endpoint (https://{{topic}}.{{region}}-1.eventgrid.azure.net/api/events); got '{options.Endpoint.OriginalString}'.";
        }

        for (var i = 0; i < options.Actions.Count; i++)
        {
            if (!KnownActions.Contains(options.Actions[i], StringComparer.OrdinalIgnoreCase))
            {
                return $"Events:EventGrid:Actions:{i} '{options.Actions[i]}' is unknown; use {string.Join(", ", KnownActions)}.";
            }
        }

        for (var i = 0; i < options.Repositories.Count; i++)
        {
            if (Pattern.Check(options.Repositories[i]) is { } reason)
            {
                return $"Events:EventGrid:Repositories:{i}: {reason}.";
            }
        }

        return null;
    }

    private sealed class EventGridOptionsCheck : IValidateOptions<EventsOptions>
    {
        public ValidateOptionsResult Validate(string? name, EventsOptions options) =>
            Problem(options.EventGrid) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}

/// <summary>
/// The HTTP transport the Event Grid client sends with, when registered in the container; tests register one that
/// records requests. Absent, the SDK's default transport is used.
/// </summary>
internal sealed class EventGridTransport(HttpPipelineTransport transport)
{
    public HttpPipelineTransport Transport => transport;
}
