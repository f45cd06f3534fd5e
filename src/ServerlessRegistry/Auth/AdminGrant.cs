namespace ServerlessRegistry.Auth;

/// <summary>
/// Who may use the admin API: a principal whose policy grants <see cref="RegistryActions.Admin"/> on every repository
/// ("*"). Entra's Registry.Admin role and an access token created with the admin action both do. The one rule the
/// token endpoint (scope <see cref="RegistryScope.Admin"/>), the admin API and the web interface's admin pages share.
/// </summary>
internal static class AdminGrant
{
    public static bool Holds(IEnumerable<Grant> policy)
    {
        foreach (var grant in policy)
        {
            if (grant.Pattern == "*" && grant.Actions.HasFlag(RegistryActions.Admin))
            {
                return true;
            }
        }

        return false;
    }
}
