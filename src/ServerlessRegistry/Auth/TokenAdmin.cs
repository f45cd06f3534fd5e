using ServerlessRegistry.Admin;
using ServerlessRegistry.Admin.Apply;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Auth;

/// <summary>
/// The admin API's access tokens (<see cref="AdminRoutes"/>, tag "tokens") and the tokens section of apply, on
/// <see cref="AccessTokenStore"/>. Every refusal names the field: a bad name, pattern, action or lifetime is INVALID.
/// </summary>
/// <remarks>
/// createToken is not idempotent by design (each creation makes a new secret): a name that exists is CONFLICT, and a
/// retry after a lost answer finds it and must revoke to try again. revokeToken is NOT_FOUND when there is none, so a
/// repeat tells "revoked now" from "already gone". Concurrent creates of one name: one wins, the others are CONFLICT.
/// </remarks>
internal static class TokenAdmin
{
    public const string Kind = "token";

    public static async Task<AdminResult> ListTokens(AdminRequest request)
    {
        var now = request.Service<TimeProvider>().GetUtcNow();
        var tokens = await request.Service<AccessTokenStore>().ListAsync(request.Aborted);
        return AdminResult.Ok(request.Paging().Of(tokens.Select(t => TokenView.Of(t, now)), t => t.Name));
    }

    public static async Task<AdminResult> CreateToken(AdminRequest request)
    {
        var body = await request.BodyAsync<TokenCreate>();
        var (actions, lifetime) = Grant(body.Repositories, body.Actions, body.Expires, "");
        var time = request.Service<TimeProvider>();
        try
        {
            var (info, secret) = await request.Service<AccessTokenStore>().CreateAsync(body.Name, body.Repositories, actions, time.GetUtcNow() + lifetime, request.Aborted);
            return AdminResult.Created(new CreatedToken(TokenView.Of(info, time.GetUtcNow()), secret));
        }
        catch (ArgumentException e)
        {
            return Fail.With<AdminResult>(ErrorKind.Invalid, Reason(e));
        }
        catch (ConcurrencyException)
        {
            return Fail.With<AdminResult>(ErrorKind.Conflict, $"a token named '{body.Name}' exists; revoke it first or pick another name.");
        }
    }

    public static async Task<AdminResult> GetToken(AdminRequest request)
    {
        var name = request.Route("name");
        var info = await request.Service<AccessTokenStore>().GetAsync(name, request.Aborted);
        return info is null
            ? Fail.With<AdminResult>(ErrorKind.NotFound, $"no access token named '{name}'")
            : AdminResult.Ok(TokenView.Of(info, request.Service<TimeProvider>().GetUtcNow()));
    }

    public static async Task<AdminResult> RevokeToken(AdminRequest request)
    {
        var name = request.Route("name");
        return await request.Service<AccessTokenStore>().RevokeAsync(name, request.Aborted)
            ? AdminResult.NoContent
            : Fail.With<AdminResult>(ErrorKind.NotFound, $"no access token named '{name}'");
    }

    /// <summary>
    /// Apply's tokens: every entry is checked before anything is read or written. A missing token is created (its secret
    /// goes in the report); an existing one whose repositories (as a set) or actions differ gets the new grant in place
    /// (<see cref="AccessTokenStore.UpdateGrantAsync"/>: same secret and expiry; a new id, so what was minted from the old
    /// grant ends). Expiry is never applied to an existing token, so a second apply is unchanged however much time passed.
    /// An expired token is reported unchanged with detail "expired" rather than silently re-created with a new secret:
    /// revoking it and applying again creates it.
    /// </summary>
    public static async Task<IReadOnlyList<ApplyStep>> PlanAsync(IReadOnlyDictionary<string, TokenSpec> specs, AdminRequest request)
    {
        var checkedSpecs = new List<(string Name, TokenSpec Spec, RegistryActions Actions, TimeSpan Lifetime)>();
        foreach (var (name, spec) in specs)
        {
            var (actions, lifetime) = Grant(spec.Repositories, spec.Actions, spec.Expires, $"tokens.{name}: ");
            try
            {
                AccessTokenStore.Check(name, spec.Repositories, actions);
            }
            catch (ArgumentException e)
            {
                Fail.With(ErrorKind.Invalid, $"tokens.{name}: {Reason(e)}");
            }

            checkedSpecs.Add((name, spec, actions, lifetime));
        }

        if (checkedSpecs.Count == 0)
        {
            return [];
        }

        var store = request.Service<AccessTokenStore>();
        var time = request.Service<TimeProvider>();
        var stored = (await store.ListAsync(request.Aborted)).ToDictionary(t => t.Name, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var steps = new List<ApplyStep>();
        foreach (var (name, spec, actions, lifetime) in checkedSpecs)
        {
            var grant = $"{RegistryScope.FormatActions(actions)} on {string.Join(", ", spec.Repositories)}";
            if (!stored.TryGetValue(name, out var existing))
            {
                steps.Add(new ApplyStep(new ApplyChange(Kind, name, ApplyAction.Create, $"{grant}, expires in {spec.Expires ?? DefaultExpiry}"), async ct =>
                {
                    try
                    {
                        return (await store.CreateAsync(name, spec.Repositories, actions, time.GetUtcNow() + lifetime, ct)).Secret;
                    }
                    catch (ConcurrencyException)
                    {
                        return Fail.With<string?>(ErrorKind.Conflict, $"tokens.{name}: created by another caller meanwhile; apply again");
                    }
                }));
            }
            else if (existing.ExpiresAt <= now)
            {
                steps.Add(new ApplyStep(new ApplyChange(Kind, name, ApplyAction.Unchanged, "expired"), null));
            }
            else if (existing.Actions != actions || !SameSet(existing.Repositories, spec.Repositories))
            {
                var was = $"{RegistryScope.FormatActions(existing.Actions)} on {string.Join(", ", existing.Repositories)}";
                steps.Add(new ApplyStep(new ApplyChange(Kind, name, ApplyAction.Update, $"{was} → {grant}"), async ct =>
                {
                    try
                    {
                        return await store.UpdateGrantAsync(name, existing.Id, spec.Repositories, actions, ct) is null
                            ? Fail.With<string?>(ErrorKind.Conflict, $"tokens.{name}: revoked or re-created by another caller meanwhile; apply again")
                            : null;
                    }
                    catch (ConcurrencyException)
                    {
                        return Fail.With<string?>(ErrorKind.Conflict, $"tokens.{name}: changed by another caller meanwhile; apply again");
                    }
                }));
            }
            else
            {
                steps.Add(ApplyStep.Unchanged(Kind, name));
            }
        }

        return steps;
    }

    private const string DefaultExpiry = "30d";

    /// <summary>The actions and lifetime a body or spec asks for; INVALID naming the field (after <paramref name="where"/>).</summary>
    private static (RegistryActions Actions, TimeSpan Lifetime) Grant(IReadOnlyList<string> repositories, IReadOnlyList<string>? words, string? expires, string where)
    {
        if (repositories.Count == 0)
        {
            Fail.With(ErrorKind.Invalid, $"{where}repositories: give at least one repository name, prefix ending in '*' (team/*), or '*'");
        }

        var actions = RegistryActions.None;
        foreach (var word in words ?? ["pull"])
        {
            var action = TokenGrant.Known.Contains(word) ? RegistryScope.ParseActions(word) : RegistryActions.None;
            if (action == RegistryActions.None)
            {
                Fail.With(ErrorKind.Invalid, $"{where}actions: '{word}' is not an action; use pull, push, delete or admin");
            }

            actions |= action;
        }

        if (actions == RegistryActions.None)
        {
            Fail.With(ErrorKind.Invalid, $"{where}actions: give at least one of pull, push, delete or admin");
        }

        var text = expires ?? DefaultExpiry;
        return TokenCommands.TryParseLifetime(text, out var lifetime)
            ? (actions, lifetime)
            : Fail.With<(RegistryActions, TimeSpan)>(ErrorKind.Invalid, $"{where}expires: '{text}' is not a lifetime; give 30d, 12h, 90m or d.hh:mm:ss");
    }

    private static bool SameSet(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        new HashSet<string>(a, StringComparer.Ordinal).SetEquals(b);

    /// <summary>The store's message without the " (Parameter 'x')" that ArgumentException appends.</summary>
    private static string Reason(ArgumentException e) =>
        e.ParamName is { } parameter ? e.Message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal) : e.Message;
}

/// <summary>Actions as the admin API writes them: words, in the order pull, push, delete, admin.</summary>
internal static class TokenGrant
{
    public static readonly string[] Known = ["pull", "push", "delete", "admin"];

    public static IReadOnlyList<string> Words(RegistryActions actions) =>
        RegistryScope.FormatActions(actions).Split(',', StringSplitOptions.RemoveEmptyEntries);
}
