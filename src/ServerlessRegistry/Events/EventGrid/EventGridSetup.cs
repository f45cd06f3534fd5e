using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Options;

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

    /// <summary>What ACR publishes to Event Grid, and so what Events:EventGrid:Actions means when empty.</summary>
    internal static readonly string[] DefaultActions = ["push", "delete"];

    /// <summary>What is wrong with the Events:EventGrid section: one line per mistake, naming the key; none when usable.</summary>
    internal static IEnumerable<string> Problems(EventGridOptions? options)
    {
        if (options is null)
        {
            yield break;
        }

        if (options.Endpoint is null)
        {
            // Binding creates the section as soon as any of its keys is set; a filter without a topic is a mistake.
            if (options.Actions.Count > 0 || options.Repositories.Count > 0)
            {
                yield return "Events:EventGrid:Endpoint is required when Events:EventGrid:Actions or Repositories are set.";
            }

            yield break;
        }

        if (!options.Endpoint.IsAbsoluteUri || options.Endpoint.Scheme != Uri.UriSchemeHttps)
        {
            yield return $"Events:EventGrid:Endpoint must be the topic's https endpoint (https://{{topic}}.{{region}}-1.eventgrid.azure.net/api/events); got '{options.Endpoint.OriginalString}'.";
        }

        foreach (var problem in EventFilter.Problems("Events:EventGrid", options.Actions, options.Repositories))
        {
            yield return problem;
        }
    }

    private sealed class EventGridOptionsCheck : IValidateOptions<EventsOptions>
    {
        public ValidateOptionsResult Validate(string? name, EventsOptions options)
        {
            var problems = Problems(options.EventGrid).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
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
