using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Auth;

/// <summary>The admin API's handlers for this feature (<see cref="AdminRoutes"/>).</summary>
internal static class TokenAdmin
{
    public static Task<AdminResult> ListTokens(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> CreateToken(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> GetToken(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<AdminResult> RevokeToken(AdminRequest request) => Fail.With<Task<AdminResult>>(ErrorKind.Unsupported, "not built yet");

    public static Task<IReadOnlyList<ApplyStep>> PlanAsync(IReadOnlyDictionary<string, TokenSpec> specs, AdminRequest request) => Task.FromResult<IReadOnlyList<ApplyStep>>([]);

}
