using System.CommandLine;

namespace ServerlessRegistry.Maintenance;

/// <summary>Maintenance's one seam into the program (garbage collection, upload expiry, usage): services and commands.</summary>
internal static class MaintenanceSetup
{
    public static IServiceCollection AddMaintenance(this IServiceCollection services, IConfiguration configuration) => services;

    public static IEnumerable<Command> Commands() => [];
}
