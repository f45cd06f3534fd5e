namespace ServerlessRegistry.Auth;

/// <summary>
/// Actions on a repository. Push and delete imply pull: every push or delete client reads first. Admin (the admin API,
/// <see cref="AdminGrant"/>) is registry-wide and brings every repository action with it.
/// </summary>
[Flags]
internal enum RegistryActions
{
    None = 0,
    Pull = 1,
    Push = 2,
    Delete = 4,
    All = Pull | Push | Delete,
    Admin = 8,
}

/// <summary>
/// One scope of the Docker token protocol: <c>type:name:action[,action…]</c> (distribution's scope.md). The name may
/// hold ':' (host:port/…), so the type ends at the first ':' and the actions start after the last one.
/// </summary>
internal readonly record struct RegistryScope(string Type, string Name, RegistryActions Actions)
{
    public const string Repository = "repository";
    public const string Catalog = "registry:catalog:*";

    /// <summary>The admin API's scope; granted only to a principal that <see cref="AdminGrant.Holds"/>.</summary>
    public const string Admin = "registry:admin:*";

    public bool IsCatalog => Type == "registry" && Name == "catalog";

    public bool IsAdmin => Type == "registry" && Name == "admin";

    /// <summary>Parses every scope in space-separated lists; malformed entries are skipped (a partial grant is normal).</summary>
    public static List<RegistryScope> ParseAll(IEnumerable<string?> values)
    {
        var scopes = new List<RegistryScope>();
        foreach (var value in values)
        {
            foreach (var text in (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (TryParse(text, out var scope))
                {
                    scopes.Add(scope);
                }
            }
        }

        return scopes;
    }

    public static bool TryParse(string text, out RegistryScope scope)
    {
        scope = default;
        var first = text.IndexOf(':', StringComparison.Ordinal);
        var last = text.LastIndexOf(':');
        if (first <= 0 || last <= first + 1)
        {
            return false;
        }

        var type = text[..first];
        // repository(plugin) is the deprecated class form of repository.
        if (type.StartsWith("repository(", StringComparison.Ordinal))
        {
            type = Repository;
        }

        scope = new RegistryScope(type, text[(first + 1)..last], ParseActions(text[(last + 1)..]));
        return true;
    }

    /// <summary>"pull,push" → flags; "*" → all; unknown words are ignored. Push and delete bring pull with them.</summary>
    public static RegistryActions ParseActions(string text)
    {
        var actions = RegistryActions.None;
        foreach (var word in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            actions |= word switch
            {
                "pull" => RegistryActions.Pull,
                "push" => RegistryActions.Pull | RegistryActions.Push,
                "delete" => RegistryActions.Pull | RegistryActions.Delete,
                "*" => RegistryActions.All,
                "admin" => RegistryActions.All | RegistryActions.Admin,
                _ => RegistryActions.None,
            };
        }

        return actions;
    }

    public static string FormatActions(RegistryActions actions)
    {
        var words = new List<string>(3);
        if (actions.HasFlag(RegistryActions.Pull)) words.Add("pull");
        if (actions.HasFlag(RegistryActions.Push)) words.Add("push");
        if (actions.HasFlag(RegistryActions.Delete)) words.Add("delete");
        if (actions.HasFlag(RegistryActions.Admin)) words.Add("admin");
        return string.Join(',', words);
    }

    public override string ToString() => IsCatalog ? Catalog : IsAdmin ? (Actions.HasFlag(RegistryActions.Admin) ? Admin : "registry:admin:") : $"{Type}:{Name}:{FormatActions(Actions)}";
}

/// <summary>
/// One policy entry: actions on the repositories a pattern names. A pattern is a repository name, a prefix ending in
/// '*' ("team/*"), or "*" for every repository.
/// </summary>
internal readonly record struct Grant(string Pattern, RegistryActions Actions)
{
    /// <summary>
    /// A repository name, a prefix of one ending in '*' ("team/*", "team/app-*"), or "*". Nothing else: a pattern that
    /// is not one of these (a space, '*' inside) could be read back as something broader.
    /// </summary>
    public static bool IsValidPattern(string pattern) =>
        pattern == "*" || Core.Primitives.Names.IsValidRepository(pattern) ||
        // A valid prefix always extends to a valid name by one more letter (a component or separator is completed).
        pattern.Length > 1 && pattern[^1] == '*' && Core.Primitives.Names.IsValidRepository(pattern[..^1] + "a");

    public bool Matches(string repository) =>
        Pattern.EndsWith('*') ? repository.StartsWith(Pattern.AsSpan(0, Pattern.Length - 1), StringComparison.Ordinal) : repository == Pattern;

    /// <summary>The union of what <paramref name="policy"/> allows on <paramref name="repository"/>.</summary>
    public static RegistryActions Allowed(IEnumerable<Grant> policy, string repository)
    {
        var actions = RegistryActions.None;
        foreach (var grant in policy)
        {
            if (grant.Matches(repository))
            {
                actions |= grant.Actions;
            }
        }

        return actions;
    }

    /// <summary>"pattern=pull,push" (a claim value; patterns never hold '=').</summary>
    public override string ToString() => Pattern + "=" + RegistryScope.FormatActions(Actions);

    public static bool TryParse(string text, out Grant grant)
    {
        var eq = text.LastIndexOf('=');
        grant = eq > 0 ? new Grant(text[..eq], RegistryScope.ParseActions(text[(eq + 1)..])) : default;
        return eq > 0;
    }
}

/// <summary>
/// Who a token request speaks for and what policy allows them. <see cref="NotAfter"/> caps every token minted for
/// them (an access token's own expiry); <see cref="AccessToken"/> names the access token ("name/id") to re-check.
/// </summary>
internal sealed record Principal(string Subject, IReadOnlyList<Grant> Policy, DateTimeOffset? NotAfter = null, string? AccessToken = null)
{
    public static readonly Principal Anonymous = new("anonymous", []);

    public bool IsAnonymous => ReferenceEquals(this, Anonymous);
}
