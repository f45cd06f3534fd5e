using ServerlessRegistry.Auth;

namespace ServerlessRegistry.Web;

/// <summary>
/// Who is looking at a page and what they may do: the same policy the token endpoint would grant them (their own
/// grants plus anonymous pull prefixes), so a page shows and allows exactly what the API would.
/// </summary>
/// <param name="Subject">The stable subject ("entra:{tid}/{oid}", "token:{name}"), or null for an anonymous visitor.</param>
/// <param name="DisplayName">What the header shows: a person's name or the token's name; null when anonymous.</param>
/// <param name="Policy">Grants, anonymous pull prefixes included.</param>
/// <param name="IsAdmin">Holds Registry.Admin (Entra), or auth is off: may manage access tokens and see usage.</param>
internal sealed record WebViewer(string? Subject, string? DisplayName, IReadOnlyList<Grant> Policy, bool IsAdmin)
{
    /// <summary>Whether a session names this viewer (header shows a sign-out button); false for anonymous visitors, also when auth is off.</summary>
    public bool SignedIn => Subject is not null;

    /// <summary>The actions this viewer holds on <paramref name="repository"/>.</summary>
    public RegistryActions On(string repository) => Grant.Allowed(Policy, repository);

    public bool Can(string repository, RegistryActions action) => (On(repository) & action) == action;
}
