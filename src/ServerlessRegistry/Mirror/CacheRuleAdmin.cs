using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Mirror;

/// <summary>The admin API's handlers for this feature (<see cref="AdminRoutes"/>).</summary>
internal static class CacheRuleAdmin
{
    public static Task<AdminResult> ListCacheRules(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> GetCacheRule(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> PutCacheRule(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> DeleteCacheRule(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<IReadOnlyList<ApplyStep>> PlanAsync(IReadOnlyDictionary<string, CacheRuleSpec> specs, AdminRequest request) => Task.FromResult<IReadOnlyList<ApplyStep>>([]);

}
