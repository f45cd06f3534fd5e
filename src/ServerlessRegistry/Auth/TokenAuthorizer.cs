using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Auth;

/// <summary>
/// Authorization when auth is on: each /v2/ request carries a registry bearer token, whose granted scopes decide.
/// </summary>
/// <remarks>
/// <para>Cost per request: a signed-in caller's validated token is cached in memory (<see cref="ValidatedTokenCache"/>,
/// bounded by count and size, until it expires), so a repeat is a dictionary lookup; a new token, or an anonymous one,
/// is one RS256 verification. Tokens minted from an access token add a
/// revocation check that reads its row at most every Auth:RevocationCheckInterval per instance. No other I/O.</para>
/// <para>No token, a bad one, or one without the scope → 401 with a challenge naming the scope to ask for. A token whose
/// grant for this repository lacks the action (asked for and refused) → 403 DENIED. Anonymous pull prefixes need no
/// token at all. Thread-safe.</para>
/// </remarks>
internal sealed class TokenAuthorizer(AuthOptions options, RegistryTokens tokens, AccessTokenStore accessTokens, TimeProvider time) : IRegistryAuthorizer
{
    private static readonly object CallerKey = new();

    /// <summary>Validated tokens of signed-in callers.</summary>
    internal ValidatedTokenCache Cache { get; } = new();

    public bool Enforced => true;

    public async ValueTask AuthorizeAsync(HttpContext context, string repository, Access access)
    {
        var caller = await ResolveAsync(context);
        switch (access)
        {
            case Access.Authenticated:
                if (caller is null)
                {
                    Challenge(context, null, false);
                }

                return;
            case Access.Catalog:
                if (caller?.Catalog != true)
                {
                    Challenge(context, RegistryScope.Catalog, caller is not null);
                }

                return;
            case Access.Admin:
                if (caller?.Admin == true)
                {
                    return;
                }

                if (caller?.AdminRefused == true)
                {
                    Fail.With(ErrorKind.Denied, "the admin API needs the Registry.Admin role or an access token with the admin action");
                }

                Challenge(context, RegistryScope.Admin, caller is not null);
                return;
        }

        var needed = Needed(access);
        if (caller is not null && caller.Access.TryGetValue(repository, out var granted))
        {
            if ((granted & needed) == needed)
            {
                return;
            }

            Fail.With(ErrorKind.Denied, "requested access to the resource is denied", ("name", repository), ("action", RegistryScope.FormatActions(needed)));
        }

        if (needed == RegistryActions.Pull && IsAnonymous(repository))
        {
            return;
        }

        // Push clients also read (HEAD before upload), so ask for both in one token.
        var actions = needed == RegistryActions.Push ? "pull,push" : needed == RegistryActions.Delete ? "delete" : "pull";
        Challenge(context, $"{RegistryScope.Repository}:{repository}:{actions}", caller is not null);
    }

    public async ValueTask<bool> CanAsync(HttpContext context, string repository, Access access)
    {
        if (access == Access.Admin)
        {
            return (await ResolveAsync(context))?.Admin == true;
        }

        var needed = Needed(access);
        if (needed == RegistryActions.Pull && IsAnonymous(repository))
        {
            return true;
        }

        if (await ResolveAsync(context) is not { } caller)
        {
            return false;
        }

        return caller.Access.TryGetValue(repository, out var granted) && (granted & needed) == needed ||
               caller.Catalog && (Grant.Allowed(caller.Policy, repository) & needed) == needed;
    }

    public string? CallerOf(HttpContext context) => (context.Items[CallerKey] as Caller)?.Owner;

    private bool IsAnonymous(string repository)
    {
        foreach (var prefix in options.AnonymousPullPrefixes)
        {
            if (repository.StartsWith(prefix, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static RegistryActions Needed(Access access) => access switch
    {
        Access.Push => RegistryActions.Push,
        Access.Delete => RegistryActions.Delete,
        _ => RegistryActions.Pull,
    };

    private async ValueTask<Caller?> ResolveAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(CallerKey, out var known))
        {
            return known as Caller;
        }

        var caller = await ValidateAsync(context);
        context.Items[CallerKey] = caller;
        return caller;
    }

    private async ValueTask<Caller?> ValidateAsync(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[7..].Trim();
        var now = time.GetUtcNow();
        var caller = Cache.Get(token, now);
        if (caller is null)
        {
            var jwt = await tokens.ValidateAsync(token, TokenEndpoints.Service(options), RegistryTokens.AccessUse, context.RequestAborted);
            if (jwt is null)
            {
                return null;
            }

            caller = Caller.From(jwt);
            Cache.Add(token, caller, now);
        }

        return caller.AccessToken is null || await accessTokens.IsActiveAsync(caller.AccessToken, context.RequestAborted) ? caller : null;
    }

    private void Challenge(HttpContext context, string? scope, bool insufficient)
    {
        var value = $"Bearer realm=\"{TokenEndpoints.Realm(context, options)}\",service=\"{TokenEndpoints.Service(options)}\"";
        if (scope is not null)
        {
            value += $",scope=\"{scope}\"";
        }

        if (insufficient)
        {
            value += ",error=\"insufficient_scope\"";
        }

        context.Response.Headers.WWWAuthenticate = value;
        Fail.With(ErrorKind.Unauthorized, "authentication required");
    }
}
