using ServerlessRegistry.Auth;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Web.Html;
using H = ServerlessRegistry.Web.Html.Html;

namespace ServerlessRegistry.Web.Pages;

/// <summary>
/// GET /tokens lists access tokens (never their secrets); POST /tokens creates one and shows its secret once;
/// POST /tokens/revoke revokes one and answers 303 to /tokens. Admins only. The same store and rules as
/// <c>token create|list|revoke</c> (<see cref="TokenCommands"/>).
/// </summary>
internal static class TokensPage
{
    private sealed record Created(AccessTokenInfo Info, string Secret);

    private sealed record Draft(string Name, string Repositories, IReadOnlyList<string> Actions, string Expires);

    private static readonly Draft Blank = new("", "", ["pull"], "30");

    public static Task GetAsync(WebRequest request)
    {
        request.RequireAdmin();
        return RenderAsync(request, null, null, Blank, StatusCodes.Status200OK);
    }

    public static async Task CreateAsync(WebRequest request)
    {
        request.RequireAdmin();
        await request.RequireValidPostAsync();
        var draft = new Draft((await request.FormAsync("name"))?.Trim() ?? "", await request.FormAsync("repositories") ?? "",
            await request.FormValuesAsync("actions"), (await request.FormAsync("expires"))?.Trim() ?? "");

        // One pattern per line; commas separate too, as in the CLI's --repository.
        var patterns = draft.Repositories.Split(['\n', '\r', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var actions = RegistryScope.ParseActions(string.Join(',', draft.Actions));
        var lifetime = TimeSpan.Zero;
        var validExpiry = draft.Expires.Length is > 0 and <= 5 && draft.Expires.All(char.IsAsciiDigit) &&
            TokenCommands.TryParseLifetime(draft.Expires + "d", out lifetime);
        if (actions == RegistryActions.None || !validExpiry || patterns.Length == 0)
        {
            await RenderAsync(request, null, "Give at least one repository pattern, at least one action, and an expiry of a whole number of days.", draft, StatusCodes.Status400BadRequest);
            return;
        }

        var store = request.Services.GetRequiredService<AccessTokenStore>();
        try
        {
            var (info, secret) = await store.CreateAsync(draft.Name, patterns, actions, request.Now + lifetime, request.Aborted);
            await RenderAsync(request, new Created(info, secret), null, Blank, StatusCodes.Status200OK);
        }
        catch (ArgumentException e)
        {
            // The store's message is written for people; the " (Parameter 'name')" suffix is for programmers.
            var message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            await RenderAsync(request, null, message, draft, StatusCodes.Status400BadRequest);
        }
        catch (ConcurrencyException)
        {
            await RenderAsync(request, null, $"A token named '{draft.Name}' exists; revoke it first or pick another name.", draft, StatusCodes.Status409Conflict);
        }
    }

    public static async Task RevokeAsync(WebRequest request)
    {
        request.RequireAdmin();
        await request.RequireValidPostAsync();
        var name = await request.FormAsync("name") ?? "";
        // Revoking a token that is already gone is not an error: the outcome the admin asked for holds.
        if (name.Length > 0)
        {
            await request.Services.GetRequiredService<AccessTokenStore>().RevokeAsync(name, request.Aborted);
        }

        WebResponse.SeeOther(request.Context, "/tokens");
    }

    private static async Task RenderAsync(WebRequest request, Created? created, string? error, Draft draft, int status)
    {
        var tokens = await request.Services.GetRequiredService<AccessTokenStore>().ListAsync(request.Aborted);
        var body = H.Of($"""
            {(created is null ? H.Empty : Secret(request, created))}
            {(error is null ? H.Empty : Layout.Notice(error, error: true))}
            {Table(request, tokens)}
            {Form(request, draft)}
            """);
        await request.PageAsync("Access tokens", body, status);
    }

    private static H Secret(WebRequest request, Created created) => H.Of($"""
        <section id="created" aria-labelledby="created-heading" class="notice" role="status">
        <h2 id="created-heading">Created access token {created.Info.Name}</h2>
        <p>The secret is shown only now. Copy it and give it to whoever uses the token.</p>
        {Show.Command(created.Secret, id: "token-secret")}
        <p>Sign in with the command below, then paste the secret (it reads the password from standard input):</p>
        {Show.Command($"docker login {request.Host} --username {created.Info.Name} --password-stdin", id: "docker-login")}
        </section>
        """);

    private static H Table(WebRequest request, IReadOnlyList<AccessTokenInfo> tokens)
    {
        if (tokens.Count == 0)
        {
            return Layout.Notice("There are no access tokens.");
        }

        var rows = H.Join(tokens, t => H.Of($"""
            <tr data-token="{t.Name}">
            <th scope="row">{t.Name}</th>
            <td>{string.Join(", ", t.Repositories)}</td>
            <td>{RegistryScope.FormatActions(t.Actions)}</td>
            <td>{Show.Time(t.ExpiresAt, request.Now)}{(t.ExpiresAt <= request.Now ? H.Raw(" <strong>expired</strong>") : H.Empty)}</td>
            <td>{Show.Time(t.CreatedAt, request.Now)}</td>
            <td><form method="post" action="/tokens/revoke" class="inline">{request.AntiforgeryField()}<input type="hidden" name="name" value="{t.Name}"><button type="submit" class="danger">Revoke<span class="visually-hidden"> {t.Name}</span></button></form></td>
            </tr>
            """));
        return H.Of($"""
            <div class="table-wrap">
            <table id="tokens">
            <thead><tr><th scope="col">Name</th><th scope="col">Repositories</th><th scope="col">Actions</th><th scope="col">Expires</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Revoke</span></th></tr></thead>
            <tbody>{rows}</tbody>
            </table>
            </div>
            """);
    }

    private static H Form(WebRequest request, Draft draft)
    {
        H Check(string action) => H.Of($"""<label><input type="checkbox" name="actions" value="{action}"{(draft.Actions.Contains(action) ? H.Raw(" checked") : H.Empty)}> {action}</label>""");
        return H.Of($"""
            <h2 id="create-heading">Create an access token</h2>
            <form method="post" action="/tokens" aria-labelledby="create-heading">
            {request.AntiforgeryField()}
            <label for="token-name">Name</label>
            <input type="text" id="token-name" name="name" value="{draft.Name}" required aria-describedby="token-name-help" autocapitalize="none" spellcheck="false">
            <p id="token-name-help" class="muted">The docker login username: 1–64 of a–z, 0–9, '.', '_' or '-'.</p>
            <label for="repositories">Repositories</label>
            <textarea id="repositories" name="repositories" rows="3" required aria-describedby="repositories-help">{draft.Repositories}</textarea>
            <p id="repositories-help" class="muted">One per line: a repository name, a prefix ending in '*' (team/*), or '*'.</p>
            <fieldset>
            <legend>Actions</legend>
            {Check("pull")}{Check("push")}{Check("delete")}
            <p class="muted">Push and delete include pull.</p>
            </fieldset>
            <label for="expires">Expires after (days)</label>
            <input type="number" id="expires" name="expires" min="1" max="36500" step="1" value="{draft.Expires}" required>
            <p><button type="submit">Create token</button></p>
            </form>
            """);
    }
}
