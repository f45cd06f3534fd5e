namespace ServerlessRegistry.Web;

/// <summary>
/// Browser sessions: who the viewer is (a cookie set by an Entra ID sign-in or an access-token sign-in), the OpenID
/// Connect round trip, and anti-forgery tokens for forms. Everything runs inside the registry's own pipeline, so the
/// same code serves Kestrel and the Functions worker (which has no middleware). Thread-safe singleton.
/// </summary>
internal sealed class WebSession
{
    /// <summary>The form field that carries the anti-forgery token.</summary>
    public const string AntiforgeryField = "__RequestVerificationToken";

    /// <summary>Whether the "Sign in with Microsoft Entra ID" button is offered.</summary>
    public bool EntraEnabled => throw new NotImplementedException();

    /// <summary>
    /// The viewer of this request: from the session cookie when one is valid (an access token's session is refused once
    /// the token is revoked or expires), else anonymous (anonymous pull prefixes only); everyone as admin when auth is off.
    /// Cached for the request.
    /// </summary>
    public Task<WebViewer> ViewerAsync(HttpContext context) => throw new NotImplementedException();

    /// <summary>Answers the OpenID Connect callback (/signin-oidc) and returns true; false for any other request.</summary>
    public Task<bool> TryHandleCallbackAsync(HttpContext context) => throw new NotImplementedException();

    /// <summary>Starts the Entra ID sign-in (a redirect to the authority); returns to <paramref name="returnUrl"/> (a local path) afterwards.</summary>
    public Task ChallengeEntraAsync(HttpContext context, string returnUrl) => throw new NotImplementedException();

    /// <summary>Signs in with an access token's name and secret: sets the session cookie and returns null, or returns why it was refused.</summary>
    public Task<string?> SignInWithTokenAsync(HttpContext context, string name, string secret) => throw new NotImplementedException();

    /// <summary>Ends the session (deletes the cookie). Idempotent.</summary>
    public Task SignOutAsync(HttpContext context) => throw new NotImplementedException();

    /// <summary>The anti-forgery token to put in <see cref="AntiforgeryField"/> of a form on this response (sets its cookie).</summary>
    public string AntiforgeryToken(HttpContext context) => throw new NotImplementedException();

    /// <summary>Whether a form post carries a valid anti-forgery token for this browser. Reads the form.</summary>
    public Task<bool> IsValidPostAsync(HttpContext context) => throw new NotImplementedException();
}
