namespace ServerlessRegistry.Events.EventGrid;

/// <summary>The Event Grid destination's registrations.</summary>
internal static class EventGridSetup
{
    public static IServiceCollection AddEventGrid(this IServiceCollection services) => services;
}
