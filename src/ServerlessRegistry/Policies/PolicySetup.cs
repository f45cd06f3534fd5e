using System.CommandLine;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Policies.Quotas;
using ServerlessRegistry.Policies.Retention;

namespace ServerlessRegistry.Policies;

/// <summary>
/// The policies feature's one seam into the program: its services, its push-path hook (<see cref="IWriteGuard"/>), its
/// garbage-collection steps (retention before the collection, quota reconciliation after it) and its commands. Rules live
/// in Table storage, so the feature has no settings; with no rules it costs the push path one cached lookup.
/// </summary>
internal static class PolicySetup
{
    public static IServiceCollection AddPolicies(this IServiceCollection services)
    {
        services.AddSingleton<PolicyStore>();
        services.AddSingleton<PolicyCache>();
        services.AddSingleton<QuotaLedger>();
        services.AddSingleton<PolicyGuard>();
        services.AddSingleton<IWriteGuard>(sp => sp.GetRequiredService<PolicyGuard>());
        services.AddSingleton<RetentionRunner>();
        services.AddSingleton<IGarbageCollectionStep, RetentionStep>();
        services.AddSingleton<IGarbageCollectionStep, QuotaReconcileStep>();
        return services;
    }

    public static IEnumerable<Command> Commands() => [PolicyCommands.Create()];
}
