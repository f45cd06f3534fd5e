using ServerlessRegistry.Web.Html;
using H = ServerlessRegistry.Web.Html.Html;

namespace ServerlessRegistry.Web.Pages;

/// <summary>
/// GET /signin shows the access-token form (and the Entra ID button when Entra is on); POST /signin signs in and
/// answers 303 to the return URL; GET /signin/entra starts the OpenID Connect round trip; POST /signout ends the
/// session. Return URLs are local paths only, so a sign-in link can never send a browser to another site.
/// </summary>
internal static class SignInPage
{
    /// <summary>Shown after a failed Entra ID callback (<see cref="Session.WebSessionOptions.EntraFailurePath"/>); the reason is only logged.</summary>
    public const string EntraFailed = "Sign-in with Microsoft Entra ID did not complete. Ask an administrator for a Registry role, or try again.";

    /// <summary>The form; "?error=entra" adds <see cref="EntraFailed"/>. Any other error value is ignored, never echoed.</summary>
    public static Task GetAsync(WebRequest request) =>
        FormAsync(request, ReturnUrl(request.Query("returnUrl")), request.Query("error") == "entra" ? EntraFailed : null, StatusCodes.Status200OK);

    public static async Task PostAsync(WebRequest request)
    {
        await request.RequireValidPostAsync();
        var returnUrl = ReturnUrl(await request.FormAsync("returnUrl"));
        var name = (await request.FormAsync("name"))?.Trim() ?? "";
        var secret = (await request.FormAsync("secret"))?.Trim() ?? "";
        if (name.Length == 0 || secret.Length == 0)
        {
            await FormAsync(request, returnUrl, "Enter the token's name and its secret.", StatusCodes.Status400BadRequest);
            return;
        }

        if (await request.Session.SignInWithTokenAsync(request.Context, name, secret) is { } refused)
        {
            await FormAsync(request, returnUrl, refused, StatusCodes.Status200OK);
            return;
        }

        WebResponse.SeeOther(request.Context, returnUrl);
    }

    public static async Task EntraAsync(WebRequest request)
    {
        if (!request.Session.EntraEnabled)
        {
            throw WebFailure.NotFound();
        }

        WebResponse.SecurityHeaders(request.Context.Response);
        request.Context.Response.Headers.CacheControl = "no-store";
        await request.Session.ChallengeEntraAsync(request.Context, ReturnUrl(request.Query("returnUrl")));
    }

    public static async Task SignOutAsync(WebRequest request)
    {
        await request.RequireValidPostAsync();
        await request.Session.SignOutAsync(request.Context);
        WebResponse.SeeOther(request.Context, "/");
    }

    /// <summary>
    /// A local path ("/r/team/app?page=2") or "/", by the rule the Entra challenge applies too
    /// (<see cref="WebSession.LocalPath"/>): no "//host" or "/\host", only printable ASCII.
    /// </summary>
    public static string ReturnUrl(string? url) => WebSession.LocalPath(url);

    private static Task FormAsync(WebRequest request, string returnUrl, string? error, int status)
    {
        var entra = request.Session.EntraEnabled
            ? H.Of($"""
                <h2>Members of the organisation</h2>
                <p><a class="button" href="/signin/entra?returnUrl={Show.Query(returnUrl)}">Sign in with Microsoft Entra ID</a></p>
                <h2>Access token</h2>
                """)
            : H.Empty;
        var signedIn = request.Viewer.SignedIn
            ? Layout.Notice($"You are signed in as {request.Viewer.DisplayName ?? request.Viewer.Subject}; signing in again replaces that session.")
            : H.Empty;
        var body = H.Of($"""
            {signedIn}
            {(error is null ? H.Empty : Layout.Notice(error, error: true))}
            {entra}
            <form method="post" action="/signin">
            {request.AntiforgeryField()}
            <input type="hidden" name="returnUrl" value="{returnUrl}">
            <label for="name">Token name</label>
            <input type="text" id="name" name="name" autocomplete="username" autocapitalize="none" spellcheck="false" required>
            <label for="secret">Secret</label>
            <input type="password" id="secret" name="secret" autocomplete="current-password" required>
            <p><button type="submit">Sign in</button></p>
            </form>
            <p class="muted">An access token is the username and password you use with <code>docker login</code>; an administrator creates it.</p>
            """);
        return request.PageAsync("Sign in", body, status);
    }
}
