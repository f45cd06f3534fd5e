using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Policies;

/// <summary>The admin API's handlers for this feature (<see cref="AdminRoutes"/>).</summary>
internal static class PolicyAdmin
{
    public static Task<AdminResult> ListPolicies(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> GetPolicy(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> PutPolicy(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> DeletePolicy(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> ListLocks(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> PutLock(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> DeleteLock(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> ExplainPolicies(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> RunRetention(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> ReconcileQuotas(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<IReadOnlyList<ApplyStep>> PlanPoliciesAsync(IReadOnlyDictionary<string, PolicySpec> specs, AdminRequest request) => Task.FromResult<IReadOnlyList<ApplyStep>>([]);

    public static Task<IReadOnlyList<ApplyStep>> PlanLocksAsync(IReadOnlyDictionary<string, LockSpec> specs, AdminRequest request) => Task.FromResult<IReadOnlyList<ApplyStep>>([]);

}
