using System.CommandLine;
using ServerlessRegistry.Core.Maintenance;

namespace ServerlessRegistry.Maintenance;

/// <summary>Maintenance's one seam into the program (garbage collection, upload expiry, usage): services and commands.</summary>
internal static class MaintenanceSetup
{
    /// <summary>Binds the "Maintenance" section (GracePeriod, DeleteUntagged, DryRun, UploadMaxAge, Parallelism) and registers the engine. No I/O.</summary>
    public static IServiceCollection AddMaintenance(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MaintenanceOptions>().Bind(configuration.GetSection("Maintenance"));
        services.AddSingleton<UploadExpiry>();
        services.AddSingleton<GarbageCollector>();
        services.AddSingleton<UsageReport>();
        services.AddSingleton<MaintenanceJobs>();
        return services;
    }

    public static IEnumerable<Command> Commands() => [GcCommand.Create(), UsageCommand.Create()];
}
