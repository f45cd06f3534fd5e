using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using ServerlessRegistry.Auth;

namespace ServerlessRegistry.Web.Session;

/// <summary>
/// The OpenID Connect settings of the browser sign-in, applied after Microsoft.Identity.Web's own: an id_token posted
/// back (form_post; no client secret needed), an exact per-tenant issuer, and the sign-in turned into
/// <see cref="SessionClaims"/> with the roles docker login maps (<see cref="EntraValidator.RoleActions"/>).
/// </summary>
internal static partial class EntraSignIn
{
    public static void Configure(OpenIdConnectOptions options, WebSessionOptions web, AuthOptions auth)
    {
        if (!web.EntraEnabled)
        {
            return;
        }

        options.Authority = web.Authority;
        options.MetadataAddress = null;
        options.ClientId = web.ClientId;
        options.ClientSecret = null;
        // Metadata over plain HTTP only from a loopback issuer (tests), as for docker login.
        options.RequireHttpsMetadata = !auth.EntraInstanceIsLoopback;
        options.ResponseType = OpenIdConnectResponseType.IdToken;
        options.ResponseMode = OpenIdConnectResponseMode.FormPost;
        options.UsePkce = false;
        options.SaveTokens = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        options.UseTokenLifetime = false;
        options.MapInboundClaims = false;
        options.CallbackPath = WebSessionOptions.CallbackPath;
        options.SignInScheme = WebSessionOptions.CookieScheme;
        options.CorrelationCookie = new SessionCookieBuilder(".sr.correlation.", SameSiteMode.None);
        options.NonceCookie = new SessionCookieBuilder(".sr.nonce.", SameSiteMode.None);
        options.TokenValidationParameters.ValidAudience = web.ClientId;
        options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256];
        options.TokenValidationParameters.NameClaimType = "name";
        options.TokenValidationParameters.IssuerValidator = (issuer, token, _) => ValidateIssuer(issuer, token, auth);
        var redirect = options.Events.OnRedirectToIdentityProvider;
        options.Events.OnRedirectToIdentityProvider = async context =>
        {
            await redirect(context);
            // Entra compares the redirect URI with the registered one exactly; the public address may carry ":443".
            context.ProtocolMessage.RedirectUri = new Uri(context.ProtocolMessage.RedirectUri).AbsoluteUri;
        };
        options.Events.OnTokenValidated = context => OnTokenValidated(context, web, auth);
        options.Events.OnRemoteFailure = OnRemoteFailure;
    }

    /// <summary>
    /// Entra's v2.0 endpoint issues "{instance}{tid}/v2.0": the tenant must be on the allow-list and the issuer exactly
    /// that tenant's, also under "organizations", where any tenant's users could otherwise sign in.
    /// </summary>
    private static string ValidateIssuer(string issuer, SecurityToken token, AuthOptions auth)
    {
        var tid = token is JsonWebToken jwt && jwt.TryGetPayloadValue<string>("tid", out var value) ? value : null;
        if (tid is null || !auth.TenantIds.Contains(tid, StringComparer.OrdinalIgnoreCase))
        {
            throw new SecurityTokenInvalidIssuerException("the token's tenant is not allowed");
        }

        if (!string.Equals(issuer, $"{auth.EntraInstance}{tid}/v2.0", StringComparison.Ordinal))
        {
            throw new SecurityTokenInvalidIssuerException("the issuer is not the tenant's v2.0 issuer");
        }

        return issuer;
    }

    /// <summary>Keeps only what the session needs; an identity without a registry role is refused, as docker login refuses it.</summary>
    private static Task OnTokenValidated(TokenValidatedContext context, WebSessionOptions web, AuthOptions auth)
    {
        // The validated token's own claims, under their JWT names whatever claim mapping the handler applies.
        var claims = context.SecurityToken.Claims.ToLookup(c => c.Type, c => c.Value, StringComparer.Ordinal);
        var tid = claims["tid"].FirstOrDefault();
        var oid = claims["oid"].FirstOrDefault();
        var roles = claims["roles"].ToArray();
        var actions = roles.Aggregate(RegistryActions.None, (all, role) => all | EntraValidator.RoleActions(role));
        if (tid is null || oid is null)
        {
            context.Fail("the id token lacks a tenant or an object id");
            return Task.CompletedTask;
        }

        if (actions == RegistryActions.None)
        {
            context.Fail("the identity holds no Registry.Pull, Registry.Push, Registry.Delete or Registry.Admin role");
            return Task.CompletedTask;
        }

        var name = claims["name"].FirstOrDefault() ?? claims["preferred_username"].FirstOrDefault() ?? oid;
        var session = new SessionClaims($"entra:{tid}/{oid}", name, [new Grant("*", actions)], actions.HasFlag(RegistryActions.Admin), null);
        context.Principal = session.ToPrincipal();
        var now = context.Options.TimeProvider?.GetUtcNow() ?? DateTimeOffset.UtcNow;
        context.Properties!.IsPersistent = false;
        context.Properties.AllowRefresh = false;
        context.Properties.IssuedUtc = now;
        context.Properties.ExpiresUtc = now + web.EntraLifetime(auth);
        return Task.CompletedTask;
    }

    /// <summary>Any failed callback (bad state, nonce, signature, tenant, roles) lands on the sign-in page; the reason goes to the log only.</summary>
    private static Task OnRemoteFailure(RemoteFailureContext context)
    {
        var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EntraSignIn).FullName!);
        Refused(logger, context.Failure?.Message ?? "unknown");
        context.Response.Redirect(WebSessionOptions.EntraFailurePath);
        context.HandleResponse();
        return Task.CompletedTask;
    }

    [LoggerMessage(600, LogLevel.Warning, "Entra ID browser sign-in refused: {Reason}")]
    private static partial void Refused(ILogger logger, string reason);
}
