using System.CommandLine;
using Microsoft.Extensions.Options;

namespace ServerlessRegistry.Events.Replication;

/// <summary>
/// Replication's registrations: the rules' checks (Events:Replication), one destination per rule, the copier, the
/// destination client, the full sync and its commands. With no rules nothing here makes a call.
/// </summary>
internal static class ReplicationSetup
{
    public static IServiceCollection AddReplication(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<EventsOptions>, ReplicationOptionsCheck>();
        services.AddSingleton<ReplicationRules>();
        services.AddSingleton<DestinationClient>();
        services.AddSingleton<ReplicationCopier>();
        services.AddSingleton<ReplicationSync>();
        services.AddSingleton<IEventDestinationSource, ReplicationDestinations>();
        return services;
    }

    public static IEnumerable<Command> Commands() => [ReplicationCommands.Create()];
}
