using System.ComponentModel;

namespace ServerlessRegistry.Auth;

/// <summary>Whether an access token can still sign in.</summary>
internal enum TokenStatus
{
    Active,
    Expired,
}

/// <summary>An access token as the admin API shows it: never its secret.</summary>
[Description("An access token (never its secret). The name is the docker login username.")]
internal sealed record TokenView(
    string Name,
    [property: Description("Set when the token is created; a token re-created under the same name gets a new id, so bearer tokens minted from the old one stop working.")]
    string Id,
    [property: Description("Repository names, prefixes ending in '*' (team/*), or '*'.")]
    IReadOnlyList<string> Repositories,
    [property: Description("pull, push, delete, admin. push and delete include pull; admin is the admin API, registry-wide, and includes the others.")]
    IReadOnlyList<string> Actions,
    DateTimeOffset ExpiresAt,
    DateTimeOffset CreatedAt,
    TokenStatus Status)
{
    public static TokenView Of(AccessTokenInfo info, DateTimeOffset now) => new(
        info.Name, info.Id, info.Repositories, TokenGrant.Words(info.Actions), info.ExpiresAt, info.CreatedAt,
        info.ExpiresAt > now ? TokenStatus.Active : TokenStatus.Expired);
}

/// <summary>The body of createToken.</summary>
[Description("A new access token. Creating a name that exists is a conflict: revoke it first.")]
internal sealed record TokenCreate(
    [property: Description("1-64 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit; the docker login username.")]
    string Name,
    [property: Description("Repository names, prefixes ending in '*' (team/*), or '*' (the only one allowed with admin).")]
    IReadOnlyList<string> Repositories,
    [property: Description("Any of pull, push, delete, admin (default [\"pull\"]). push and delete include pull; admin is the admin API and needs repositories [\"*\"].")]
    IReadOnlyList<string>? Actions = null,
    [property: Description("Lifetime from now: 30d, 12h, 90m or d.hh:mm:ss (default 30d).")]
    string? Expires = null);

/// <summary>The answer to createToken: the token and its secret, which no later call shows.</summary>
[Description("The token created, and its secret (the docker login password): shown in this answer only.")]
internal sealed record CreatedToken(TokenView Token, string Secret);

/// <summary>One token in an apply document, keyed by name.</summary>
[Description("An access token to ensure. Missing: created with this grant and lifetime (the secret is in the report, once). Existing: " +
    "its repositories and actions become these; its secret and expiry stay (expires is not applied to an existing token); sign-ins and tokens minted from the old grant end. " +
    "An existing token that has expired is left as it is and reported unchanged with detail \"expired\": revoke it and apply again to create a new one.")]
internal sealed record TokenSpec(
    [property: Description("Repository names, prefixes ending in '*' (team/*), or '*'; compared as a set.")]
    IReadOnlyList<string> Repositories,
    [property: Description("Any of pull, push, delete, admin (default [\"pull\"]); admin needs repositories [\"*\"].")]
    IReadOnlyList<string>? Actions = null,
    [property: Description("Lifetime from creation, used only when the token is created: 30d, 12h, 90m or d.hh:mm:ss (default 30d).")]
    string? Expires = null);
