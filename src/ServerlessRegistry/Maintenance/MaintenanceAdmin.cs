using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Maintenance;

/// <summary>The admin API's handlers for this feature (<see cref="AdminRoutes"/>).</summary>
internal static class MaintenanceAdmin
{
    public static Task<AdminResult> GetUsage(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> CollectGarbage(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

}
