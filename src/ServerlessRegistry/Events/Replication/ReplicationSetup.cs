using System.CommandLine;

namespace ServerlessRegistry.Events.Replication;

/// <summary>Replication's registrations: one destination per rule, the full sync and its commands.</summary>
internal static class ReplicationSetup
{
    public static IServiceCollection AddReplication(this IServiceCollection services) => services;

    public static IEnumerable<Command> Commands() => [];
}
