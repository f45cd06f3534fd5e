using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;
using ServerlessRegistry.Auth;

namespace ServerlessRegistry.Web.Session;

/// <summary>
/// Registers what browser sessions use: data protection on the shared key ring, anti-forgery, and the cookie and
/// OpenID Connect schemes (Microsoft.Identity.Web). Nothing is added to a middleware pipeline: <see cref="WebSession"/>
/// calls these services from inside the registry's own pipeline, so Kestrel and the Functions worker run the same code.
/// Configuration: Web:SignIn:ClientId, Web:SessionLifetime (<see cref="WebSessionOptions"/>). No I/O at start.
/// </summary>
internal static class SessionSetup
{
    public const string ApplicationName = "ServerlessRegistry";

    public static IServiceCollection AddWebSession(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(sp => WebSessionOptions.From(configuration, sp.GetRequiredService<AuthOptions>()));

        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<TableXmlRepository>();
        services.AddOptions<KeyManagementOptions>().Configure<TableXmlRepository>((options, keys) => options.XmlRepository = keys);

        services.AddAntiforgery(options =>
        {
            options.FormFieldName = WebSession.AntiforgeryField;
            options.HeaderName = null;
            options.Cookie = new SessionCookieBuilder("sr.antiforgery", SameSiteMode.Strict, hostPrefix: true);
        });

        // No default scheme: nothing authenticates a request unless WebSession asks.
        services.AddAuthentication()
            .AddMicrosoftIdentityWebApp(_ => { }, cookie => { }, WebSessionOptions.EntraScheme, WebSessionOptions.CookieScheme);
        services.AddOptions<MicrosoftIdentityOptions>(WebSessionOptions.EntraScheme).Configure<WebSessionOptions, AuthOptions>((options, web, auth) =>
        {
            options.Instance = auth.EntraInstance.ToString();
            options.TenantId = web.Tenant;
            options.ClientId = web.ClientId;
        });
        // After Microsoft.Identity.Web's own configuration, before the handler's post-configuration reads it.
        services.AddOptions<OpenIdConnectOptions>(WebSessionOptions.EntraScheme).Configure<WebSessionOptions, AuthOptions>(
            (options, web, auth) => EntraSignIn.Configure(options, web, auth));
        services.AddOptions<CookieAuthenticationOptions>(WebSessionOptions.CookieScheme).Configure<WebSessionOptions>((options, web) =>
        {
            options.Cookie = new SessionCookieBuilder("sr.session", SameSiteMode.Lax, hostPrefix: true);
            options.ExpireTimeSpan = web.SessionLifetime;
            options.SlidingExpiration = false;
        });

        services.AddSingleton<IAuthenticationSchemeProvider, PipelineSchemeProvider>();
        return services;
    }

    /// <summary>
    /// Offers no scheme to answer requests by itself. WebApplication adds the authentication middleware whenever
    /// authentication is registered; with this, that middleware stays inert on Kestrel and the OpenID Connect callback
    /// is answered by <see cref="WebSession.TryHandleCallbackAsync"/> inside the pipeline, as under the Functions worker.
    /// </summary>
    private sealed class PipelineSchemeProvider(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
    {
        public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync() => Task.FromResult(Enumerable.Empty<AuthenticationScheme>());
    }
}
