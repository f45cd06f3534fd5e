using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Messaging.EventGrid;
using Microsoft.Extensions.Options;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Events.EventGrid;

/// <summary>
/// The Event Grid topic as a destination ("eventgrid"): each delivery is one CloudEvents 1.0 batch
/// (<see cref="RegistryCloudEvents"/>) sent with a token of the registry's identity (role EventGrid Data Sender on the
/// topic), never a key.
/// </summary>
/// <remarks>
/// Thread-safe (the SDK client is). Idempotent per event id: a retry resends the same CloudEvent ids, which
/// subscribers de-duplicate on. Event Grid takes or refuses a batch as a whole, so a refusal retries every event in it.
/// </remarks>
internal sealed class EventGridDestination(EventGridPublisherClient client, EventGridOptions options, string source) : IEventDestination
{
    private readonly EventFilter _filter = new(options.Actions, options.Repositories, EventGridSetup.DefaultActions);

    public string Name => "eventgrid";

    /// <summary>Whether any event with <paramref name="action"/> could be accepted: lets the registry skip pulls by default.</summary>
    public bool CouldAccept(string action) => _filter.CouldAccept(action);

    public bool Accepts(RegistryEvent e) => _filter.Accepts(e);

    public async Task DeliverAsync(IReadOnlyList<RegistryEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await client.SendEventsAsync(events.Select(e => RegistryCloudEvents.From(e, source)), cancellationToken);
        }
        catch (RequestFailedException e)
        {
            throw new DeliveryException($"Event Grid answered {e.Status}{(string.IsNullOrEmpty(e.ErrorCode) ? "" : " " + e.ErrorCode)}: {FirstLine(e.Message)}", e);
        }
        catch (AuthenticationFailedException e)
        {
            throw new DeliveryException($"no token for Event Grid: {FirstLine(e.Message)}", e);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();
}

/// <summary>Builds the Event Grid destination from the checked options: none without Events:EventGrid:Endpoint.</summary>
internal sealed class EventGridDestinations(IServiceProvider services) : IEventDestinationSource
{
    public IEnumerable<IEventDestination> Create()
    {
        var options = services.GetRequiredService<IOptions<EventsOptions>>().Value.EventGrid;
        if (options?.Endpoint is not { } endpoint)
        {
            yield break;
        }

        var clientOptions = new EventGridPublisherClientOptions();
        // The delivery queue retries with back-off and shows each failure (attempts, last error); an SDK retry inside
        // one delivery would only spend its timeout and hide the error.
        clientOptions.Retry.MaxRetries = 0;
        if (services.GetService<EventGridTransport>() is { } transport)
        {
            clientOptions.Transport = transport.Transport;
        }

        var client = new EventGridPublisherClient(endpoint, Credential(), clientOptions);
        yield return new EventGridDestination(client, options, RegistryCloudEvents.SourceOf(services.GetService<PublicAddress>()?.PublicUrl));
    }

    /// <summary>The registered credential (tests), else the app's identity as the storage clients use it.</summary>
    private TokenCredential Credential() =>
        services.GetService<TokenCredential>()
        ?? new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ManagedIdentityClientId = services.GetService<IOptions<StorageSettings>>()?.Value.ManagedIdentityClientId,
        });
}
