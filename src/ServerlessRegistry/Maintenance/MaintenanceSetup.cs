using System.CommandLine;
using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>Maintenance's one seam into the program (garbage collection, upload expiry, usage): services and commands.</summary>
internal static class MaintenanceSetup
{
    /// <summary>Registers the engine; its options ("Maintenance" section) are bound and checked by OptionsChecks. No I/O.</summary>
    public static IServiceCollection AddMaintenance(this IServiceCollection services)
    {
        services.AddSingleton<UploadExpiry>();
        services.AddSingleton<GarbageCollector>();
        services.AddSingleton<UsageReport>();
        services.AddSingleton<MaintenanceJobs>();
        return services;
    }

    public static IEnumerable<Command> Commands() => [GcCommand.Create(), UsageCommand.Create()];
}
