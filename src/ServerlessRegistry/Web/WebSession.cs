using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Web.Session;

namespace ServerlessRegistry.Web;

/// <summary>
/// Browser sessions: who the viewer is (a cookie set by an Entra ID sign-in or an access-token sign-in), the OpenID
/// Connect round trip, and anti-forgery tokens for forms. Everything runs inside the registry's own pipeline, so the
/// same code serves Kestrel and the Functions worker (which has no middleware). Thread-safe singleton.
/// </summary>
/// <remarks>
/// <para>The session cookie is encrypted and signed with data protection on the key ring every instance shares
/// (<see cref="TableXmlRepository"/>). It holds only <see cref="SessionClaims"/>, written at sign-in from what was
/// validated there; it is HttpOnly, SameSite=Lax, Secure (and then named "__Host-sr.session") except on plain-HTTP
/// loopback, and lasts a fixed Web:SessionLifetime (Entra sessions at most Auth:RefreshTokenLifetime, token sessions at most the token's expiry).</para>
/// <para>Handlers are called directly (<see cref="IAuthenticationService"/>, <see cref="IAuthenticationRequestHandler"/>,
/// <see cref="IAntiforgery"/>) from <see cref="HttpContext.RequestServices"/>; no middleware is needed.</para>
/// </remarks>
internal sealed class WebSession(AuthOptions auth, WebSessionOptions web, AccessTokenStore tokens, IAntiforgery antiforgery, TimeProvider time)
{
    /// <summary>The form field that carries the anti-forgery token.</summary>
    public const string AntiforgeryField = "__RequestVerificationToken";

    private static readonly object ViewerKey = new();
    private static readonly WebViewer Everyone = new(null, null, [new Grant("*", RegistryActions.All)], IsAdmin: true);

    /// <summary>Whether the "Sign in with Microsoft Entra ID" button is offered.</summary>
    public bool EntraEnabled => web.EntraEnabled;

    /// <summary>
    /// The viewer of this request: from the session cookie when one is valid (an access token's session is refused once
    /// the token is revoked or expires), else anonymous (anonymous pull prefixes only); everyone as admin when auth is off.
    /// Cached for the request.
    /// </summary>
    public async Task<WebViewer> ViewerAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(ViewerKey, out var cached) && cached is WebViewer viewer)
        {
            return viewer;
        }

        viewer = await ReadViewerAsync(context);
        context.Items[ViewerKey] = viewer;
        return viewer;
    }

    private async Task<WebViewer> ReadViewerAsync(HttpContext context)
    {
        SessionCookieBuilder.Use(context);
        if (!auth.Enabled)
        {
            return Everyone;
        }

        var result = await context.AuthenticateAsync(WebSessionOptions.CookieScheme);
        if (result.Succeeded && SessionClaims.From(result.Principal) is { } session)
        {
            // A token's session lives only as long as the token: revocation is seen within Auth:RevocationCheckInterval.
            if (session.AccessToken is null || await tokens.IsActiveAsync(session.AccessToken, context.RequestAborted))
            {
                return new WebViewer(session.Subject, session.DisplayName, EffectivePolicy.Of(session.Policy, auth), session.IsAdmin);
            }

            await context.SignOutAsync(WebSessionOptions.CookieScheme);
        }

        return Anonymous;
    }

    private WebViewer Anonymous => new(null, null, [.. EffectivePolicy.Anonymous(auth)], IsAdmin: false);

    /// <summary>Answers the OpenID Connect callback (/signin-oidc) and returns true; false for any other request.</summary>
    public async Task<bool> TryHandleCallbackAsync(HttpContext context)
    {
        if (!web.EntraEnabled || context.Request.Path != WebSessionOptions.CallbackPath)
        {
            return false;
        }

        SessionCookieBuilder.Use(context);
        // What AuthenticationMiddleware does for a remote scheme: the handler validates state, nonce and id_token,
        // signs in to the cookie scheme and redirects to the page the sign-in started from.
        var handlers = context.RequestServices.GetRequiredService<IAuthenticationHandlerProvider>();
        return await handlers.GetHandlerAsync(context, WebSessionOptions.EntraScheme) is IAuthenticationRequestHandler handler
               && await handler.HandleRequestAsync();
    }

    /// <summary>Starts the Entra ID sign-in (a redirect to the authority); returns to <paramref name="returnUrl"/> (a local path) afterwards.</summary>
    public Task ChallengeEntraAsync(HttpContext context, string returnUrl)
    {
        if (!web.EntraEnabled)
        {
            throw new InvalidOperationException("Entra ID sign-in is not configured (Auth:Entra:TenantIds, Auth:Entra:Audiences, Web:SignIn:ClientId).");
        }

        return context.ChallengeAsync(WebSessionOptions.EntraScheme, new AuthenticationProperties { RedirectUri = LocalPath(returnUrl) });
    }

    /// <summary>Signs in with an access token's name and secret: sets the session cookie and returns null, or returns why it was refused.</summary>
    public async Task<string?> SignInWithTokenAsync(HttpContext context, string name, string secret)
    {
        if (!auth.Enabled)
        {
            return "authentication is off: everyone may do everything, so there is nothing to sign in to";
        }

        SessionCookieBuilder.Use(context);
        var token = await tokens.VerifyAsync(name.Trim(), secret.Trim(), context.RequestAborted);
        if (token is null)
        {
            return "incorrect token name or secret, or the token was revoked or has expired";
        }

        var now = time.GetUtcNow();
        var end = now + web.SessionLifetime;
        var properties = new AuthenticationProperties
        {
            IsPersistent = false,
            AllowRefresh = false,
            IssuedUtc = now,
            ExpiresUtc = token.ExpiresAt < end ? token.ExpiresAt : end,
        };
        var session = SessionClaims.ForAccessToken(token);
        await context.SignInAsync(WebSessionOptions.CookieScheme, session.ToPrincipal(), properties);
        context.Items[ViewerKey] = new WebViewer(session.Subject, session.DisplayName, EffectivePolicy.Of(session.Policy, auth), session.IsAdmin);
        return null;
    }

    /// <summary>Ends the session (deletes the cookie). Idempotent.</summary>
    public async Task SignOutAsync(HttpContext context)
    {
        if (auth.Enabled)
        {
            SessionCookieBuilder.Use(context);
            await context.SignOutAsync(WebSessionOptions.CookieScheme);
            context.Items[ViewerKey] = Anonymous;
        }
    }

    /// <summary>The anti-forgery token to put in <see cref="AntiforgeryField"/> of a form on this response (sets its cookie).</summary>
    public string AntiforgeryToken(HttpContext context)
    {
        SessionCookieBuilder.Use(context);
        return AsAnonymous(context, () => antiforgery.GetAndStoreTokens(context).RequestToken!);
    }

    /// <summary>
    /// Whether a form post carries a valid anti-forgery token for this browser. Reads the form through
    /// <see cref="WebForm"/>, so it throws that page failure (413, 415, 400) for a form it will not read.
    /// </summary>
    public async Task<bool> IsValidPostAsync(HttpContext context)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            return false;
        }

        SessionCookieBuilder.Use(context);
        var user = context.User;
        context.User = new ClaimsPrincipal(new ClaimsIdentity());
        try
        {
            return await WebForm.ReadAsync(context, () => antiforgery.IsRequestValidAsync(context));
        }
        finally
        {
            context.User = user;
        }
    }

    /// <summary>
    /// Tokens are bound to the browser's anti-forgery cookie, not to an identity: HttpContext.User is never set here
    /// (no middleware), and a host that sets it must not make a token minted before sign-in fail after it.
    /// </summary>
    private static T AsAnonymous<T>(HttpContext context, Func<T> action)
    {
        var user = context.User;
        context.User = new ClaimsPrincipal(new ClaimsIdentity());
        try
        {
            return action();
        }
        finally
        {
            context.User = user;
        }
    }

    /// <summary>
    /// Only a local path ("/…", not "//…" or "/\…") of printable ASCII (0x21-0x7E, no backslash) is followed after
    /// sign-in; anything else goes home. The Location header refuses other characters, and by then the session cookie
    /// is set, so this is checked before either sign-in starts.
    /// </summary>
    public static string LocalPath(string? url) =>
        url is ['/', ..] && !url.StartsWith("//", StringComparison.Ordinal) && url.All(c => c is >= '!' and <= '~' and not '\\') ? url : "/";
}
