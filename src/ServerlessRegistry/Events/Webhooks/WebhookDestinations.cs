using Microsoft.Extensions.Options;

namespace ServerlessRegistry.Events.Webhooks;

/// <summary>One destination per configured webhook, all sending through one pooled connection handler.</summary>
internal sealed class WebhookDestinations(IOptions<EventsOptions> options) : IEventDestinationSource
{
    /// <summary>
    /// Shared by every webhook of the process: pooled connections, recycled so DNS changes are seen, no redirects (a
    /// receiver that redirects has failed; following it could post events somewhere unintended), no cookies. The delivery
    /// timeout is the caller's token, not the client's.
    /// </summary>
    internal static readonly Lazy<HttpClient> Client = new(() => new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(10),
        AllowAutoRedirect = false,
        UseCookies = false,
    })
    { Timeout = Timeout.InfiniteTimeSpan });

    public IEnumerable<IEventDestination> Create() => [.. options.Value.Webhooks.Select(w => new WebhookDestination(w, Client.Value))];
}
