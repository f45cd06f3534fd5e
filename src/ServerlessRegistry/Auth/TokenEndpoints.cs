using System.Text;
using Microsoft.Extensions.Primitives;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Auth;

/// <summary>
/// The token service under /oauth2 (only while auth is on): the Docker token protocol (GET with Basic, POST with an
/// OAuth2 form) and ACR's Entra exchange. Every call is stateless apart from access-token reads.
/// </summary>
internal static partial class TokenEndpoints
{
    /// <summary>The most scopes one token request may ask for, and the longest scope (a repository name is ≤ 255).</summary>
    public const int MaxScopes = 100;
    public const int MaxScopeLength = 512;

    /// <summary>The service when no public URL is known. Constant, so nothing signed follows the request's Host.</summary>
    public const string DefaultService = "serverless-registry";

    public static async Task DispatchAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        var method = context.Request.Method;
        var handler = (path, method) switch
        {
            ("/token", "GET") => GetToken,
            ("/token", "POST") => PostToken,
            ("/exchange", "POST") => Exchange,
            ("/token" or "/exchange", _) => Fail.With<Func<HttpContext, Task>>(ErrorKind.MethodNotAllowed, $"{method} is not supported here"),
            _ => Fail.With<Func<HttpContext, Task>>(ErrorKind.RouteUnknown, "no such endpoint"),
        };
        await handler(context);
    }

    /// <summary>
    /// The service name in challenges and token audiences: the configured public host, else a constant. Never the
    /// request's Host, which a client chooses: tokens would then vary with it (and fill caches) for no benefit.
    /// </summary>
    public static string Service(AuthOptions options) => options.PublicUrl?.Authority ?? DefaultService;

    /// <summary>The absolute token URL (clients cannot resolve a relative realm).</summary>
    public static string Realm(HttpContext context, AuthOptions options) =>
        options.PublicUrl is { } url ? url.AbsoluteUri + "oauth2/token" : $"{context.Request.Scheme}://{context.Request.Host.Value}/oauth2/token";

    /// <summary>GET: Basic credentials (or none: anonymous), repeated scope, offline_token=true for a refresh token.</summary>
    private static async Task GetToken(HttpContext context)
    {
        var services = Resolve(context);
        var service = Service(services.Options);
        var principal = Principal.Anonymous;
        if (ReadBasic(context.Request) is var (user, password))
        {
            principal = await services.Credentials.FromPasswordAsync(service, user, password, context.RequestAborted);
        }

        var query = context.Request.Query;
        await RespondAsync(context, services, service, principal, query["scope"], query["offline_token"] == "true");
    }

    /// <summary>POST: grant_type=password (username, password) or refresh_token; access_type=offline for a refresh token.</summary>
    private static async Task PostToken(HttpContext context)
    {
        var services = Resolve(context);
        var service = Service(services.Options);
        if (await ReadFormAsync(context) is not { } form)
        {
            return;
        }

        var principal = (string?)form["grant_type"] switch
        {
            "password" => await services.Credentials.FromPasswordAsync(service, form["username"].ToString(), form["password"].ToString(), context.RequestAborted),
            "refresh_token" => await services.Credentials.FromRefreshTokenAsync(service, form["refresh_token"].ToString(), context.RequestAborted),
            _ => null,
        };
        if (principal is null)
        {
            await OAuthErrorAsync(context, "unsupported_grant_type", "grant_type must be password or refresh_token");
            return;
        }

        await RespondAsync(context, services, service, principal, form["scope"], form["access_type"] == "offline");
    }

    /// <summary>
    /// ACR's exchange: grant_type=access_token with an Entra access token → a registry refresh token, which then works
    /// as the docker login password under the null-GUID username.
    /// </summary>
    private static async Task Exchange(HttpContext context)
    {
        var services = Resolve(context);
        var service = Service(services.Options);
        if (await ReadFormAsync(context) is not { } form)
        {
            return;
        }

        if (form["grant_type"] != "access_token" || StringValues.IsNullOrEmpty(form["access_token"]))
        {
            await OAuthErrorAsync(context, "unsupported_grant_type", "grant_type must be access_token, with access_token set");
            return;
        }

        var (principal, error) = await services.Entra.ValidateAsync(form["access_token"].ToString(), context.RequestAborted);
        if (principal is null)
        {
            Fail.With(ErrorKind.Unauthorized, error!);
        }

        var (refresh, _) = await services.Credentials.IssueRefreshTokenAsync(service, principal, context.RequestAborted);
        await JsonBody.WriteAsync(context.Response, StatusCodes.Status200OK, "application/json", json =>
        {
            json.WriteStartObject();
            json.WriteString("refresh_token", refresh);
            json.WriteEndObject();
        }, context.RequestAborted);
    }

    private static async Task RespondAsync(HttpContext context, AuthServices services, string service, Principal principal, StringValues scopes, bool offline)
    {
        if (ScopeProblem(scopes) is { } problem)
        {
            await OAuthErrorAsync(context, "invalid_scope", problem);
            return;
        }

        var ct = context.RequestAborted;
        var issued = await services.Credentials.IssueAccessTokenAsync(service, principal, RegistryScope.ParseAll(scopes), ct);
        var refresh = offline && !principal.IsAnonymous ? (await services.Credentials.IssueRefreshTokenAsync(service, principal, ct)).Token : null;
        context.Response.Headers.CacheControl = "no-store";
        await JsonBody.WriteAsync(context.Response, StatusCodes.Status200OK, "application/json", json =>
        {
            json.WriteStartObject();
            json.WriteString("token", issued.Token);
            json.WriteString("access_token", issued.Token);
            json.WriteNumber("expires_in", issued.ExpiresIn);
            json.WriteString("issued_at", issued.IssuedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            json.WriteString("scope", issued.Scope);
            if (refresh is not null)
            {
                json.WriteString("refresh_token", refresh);
            }

            json.WriteEndObject();
        }, ct);
    }

    internal static (string User, string Password)? ReadBasic(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return Fail.With<(string, string)?>(ErrorKind.Unauthorized, "malformed Basic credentials");
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? Fail.With<(string, string)?>(ErrorKind.Unauthorized, "malformed Basic credentials") : (text[..colon], text[(colon + 1)..]);
    }

    /// <summary>Why the requested scopes are refused as a whole (too many, or one too long), or null.</summary>
    private static string? ScopeProblem(StringValues values)
    {
        var count = 0;
        foreach (var value in values)
        {
            foreach (var scope in (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (++count > MaxScopes)
                {
                    return $"at most {MaxScopes} scopes per token request";
                }

                if (scope.Length > MaxScopeLength)
                {
                    return $"a scope is at most {MaxScopeLength} characters";
                }
            }
        }

        return null;
    }

    private static Task OAuthErrorAsync(HttpContext context, string error, string description) =>
        JsonBody.WriteAsync(context.Response, StatusCodes.Status400BadRequest, "application/json", json =>
        {
            json.WriteStartObject();
            json.WriteString("error", error);
            json.WriteString("error_description", description);
            json.WriteEndObject();
        }, context.RequestAborted);

    private static AuthServices Resolve(HttpContext context) => new(
        context.RequestServices.GetRequiredService<AuthOptions>(),
        context.RequestServices.GetRequiredService<Credentials>(),
        context.RequestServices.GetRequiredService<EntraValidator>());

    private readonly record struct AuthServices(AuthOptions Options, Credentials Credentials, EntraValidator Entra);
}
