namespace ServerlessRegistry.Events.Webhooks;

/// <summary>One destination per configured webhook.</summary>
internal sealed class WebhookDestinations : IEventDestinationSource
{
    public IEnumerable<IEventDestination> Create() => [];
}
