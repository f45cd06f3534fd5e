using Microsoft.IdentityModel.JsonWebTokens;

namespace ServerlessRegistry.Auth;

/// <summary>What a validated bearer token says, parsed once and cached for the token's life.</summary>
internal sealed class Caller
{
    public required string Subject { get; init; }

    /// <summary>Granted actions per repository; a present entry with fewer actions means "asked for and refused".</summary>
    public required Dictionary<string, RegistryActions> Access { get; init; }

    public bool Catalog { get; init; }

    /// <summary>The token grants the admin API (<see cref="RegistryScope.Admin"/>).</summary>
    public bool Admin { get; init; }

    /// <summary>The admin scope was asked for and refused ("registry:admin:"), so a repeat is DENIED, not challenged.</summary>
    public bool AdminRefused { get; init; }

    /// <summary>The caller's policy; present only with the catalog scope, which is filtered by it.</summary>
    public IReadOnlyList<Grant> Policy { get; init; } = [];

    /// <summary>"name/id" of the access token behind this caller, re-checked for revocation.</summary>
    public string? AccessToken { get; init; }

    public DateTimeOffset Expires { get; init; }

    /// <summary>
    /// Who owns what this caller starts (upload sessions): the access token's "name/id" when there is one, since a token
    /// re-created under a revoked name gets a new id and must not inherit the old one's sessions; else the subject.
    /// </summary>
    public string Owner => AccessToken is { } reference ? "token:" + reference : Subject;

    public static Caller From(JsonWebToken jwt)
    {
        var access = new Dictionary<string, RegistryActions>(StringComparer.Ordinal);
        var catalog = false;
        var (admin, adminRefused) = (false, false);
        foreach (var value in RegistryTokens.Values(jwt, "access"))
        {
            if (value == RegistryScope.Catalog)
            {
                catalog = true;
            }
            else if (value == RegistryScope.Admin)
            {
                admin = true;
            }
            else if (value == "registry:admin:")
            {
                adminRefused = true;
            }
            else if (RegistryScope.TryParse(value, out var scope) && scope.Type == RegistryScope.Repository)
            {
                // "repository:name:" (no actions) still records that the scope was asked for and refused.
                access[scope.Name] = access.GetValueOrDefault(scope.Name) | scope.Actions;
            }
        }

        return new Caller
        {
            Subject = jwt.Subject,
            Access = access,
            Catalog = catalog,
            Admin = admin,
            AdminRefused = adminRefused,
            Policy = [.. RegistryTokens.Values(jwt, "pol").Select(v => Grant.TryParse(v, out var g) ? g : default).Where(g => g.Pattern is not null)],
            AccessToken = jwt.TryGetPayloadValue<string>("tkn", out var reference) ? reference : null,
            Expires = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero),
        };
    }
}
