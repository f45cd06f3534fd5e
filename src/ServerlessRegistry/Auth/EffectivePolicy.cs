namespace ServerlessRegistry.Auth;

/// <summary>
/// What a principal may do: its own grants plus pull on every Auth:AnonymousPullPrefixes prefix. The one definition
/// shared by the token endpoint and the web interface, so a page allows exactly what the API would. Pure.
/// </summary>
internal static class EffectivePolicy
{
    public static Grant[] Of(IEnumerable<Grant> own, AuthOptions options) =>
        [.. own, .. Anonymous(options)];

    /// <summary>The policy of a visitor who has not signed in.</summary>
    public static IEnumerable<Grant> Anonymous(AuthOptions options) =>
        options.AnonymousPullPrefixes.Select(p => new Grant(p + "*", RegistryActions.Pull));
}
