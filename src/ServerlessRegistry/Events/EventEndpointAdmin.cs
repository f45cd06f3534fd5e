using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Events;

/// <summary>The admin API's handlers for this feature (<see cref="AdminRoutes"/>).</summary>
internal static class EventEndpointAdmin
{
    public static Task<AdminResult> ListEventEndpoints(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> GetEventEndpoint(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> PutEventEndpoint(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> DeleteEventEndpoint(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> ListFailedDeliveries(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> RedeliverEvents(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<IReadOnlyList<ApplyStep>> PlanAsync(IReadOnlyDictionary<string, EventEndpointSpec> specs, AdminRequest request) => Task.FromResult<IReadOnlyList<ApplyStep>>([]);

}
