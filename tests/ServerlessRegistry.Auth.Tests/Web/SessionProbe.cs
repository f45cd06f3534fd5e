using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Web;

namespace ServerlessRegistry.Auth.Tests.Web;

/// <summary>
/// A front end in place of the pages that exposes <see cref="WebSession"/> over HTTP, so the tests walk the browser
/// flow against the real pipeline: /probe/entra (challenge), /signin-oidc (callback), /probe/viewer (who am I, as
/// JSON), /probe/signin and /probe/signout (token session), /probe/form (anti-forgery token, and a guarded POST).
/// </summary>
internal sealed class SessionProbe(WebSession session) : IRegistryFrontEnd
{
    /// <summary>Replaces every other front end with this one.</summary>
    public static void Install(IServiceCollection services)
    {
        services.RemoveAll<IRegistryFrontEnd>();
        services.AddSingleton<IRegistryFrontEnd, SessionProbe>();
    }

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (await session.TryHandleCallbackAsync(context))
        {
            return true;
        }

        var request = context.Request;
        switch (request.Method, request.Path.Value)
        {
            case ("GET", "/probe/entra"):
                await session.ChallengeEntraAsync(context, request.Query["returnUrl"].ToString());
                return true;
            case ("GET", "/probe/viewer"):
                var viewer = await session.ViewerAsync(context);
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(JsonSerializer.Serialize(new
                {
                    subject = viewer.Subject,
                    name = viewer.DisplayName,
                    admin = viewer.IsAdmin,
                    policy = viewer.Policy.Select(g => g.ToString()).ToArray(),
                }));
                return true;
            case ("POST", "/probe/signin"):
                var form = await request.ReadFormAsync();
                var error = await session.SignInWithTokenAsync(context, form["name"].ToString(), form["secret"].ToString());
                context.Response.StatusCode = error is null ? StatusCodes.Status303SeeOther : StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync(error ?? "");
                return true;
            case ("POST", "/probe/signout"):
                await session.SignOutAsync(context);
                context.Response.StatusCode = StatusCodes.Status303SeeOther;
                return true;
            case ("GET", "/probe/form"):
                await context.Response.WriteAsync(session.AntiforgeryToken(context));
                return true;
            case ("POST", "/probe/form"):
                context.Response.StatusCode = await session.IsValidPostAsync(context) ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
                return true;
            default:
                return false;
        }
    }
}

/// <summary>The viewer as /probe/viewer reports it.</summary>
internal sealed record ProbedViewer(string? Subject, string? Name, bool Admin, string[] Policy)
{
    public static async Task<ProbedViewer> GetAsync(HttpClient client, string? baseAddress = null)
    {
        using var response = await client.GetAsync((baseAddress ?? "") + "/probe/viewer");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new ProbedViewer(
            json.GetProperty("subject").GetString(), json.GetProperty("name").GetString(), json.GetProperty("admin").GetBoolean(),
            [.. json.GetProperty("policy").EnumerateArray().Select(e => e.GetString()!)]);
    }
}

/// <summary>A browser without JavaScript: a cookie jar, no automatic redirects, and the issuer's auto-posting form read by hand.</summary>
internal sealed partial class Browser : IDisposable
{
    public Browser(Uri registry)
    {
        Registry = registry;
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, CookieContainer = Cookies }) { BaseAddress = registry };
    }

    public CookieContainer Cookies { get; } = new();
    public HttpClient Client { get; }
    public Uri Registry { get; }

    public Cookie? Cookie(string name) => Cookies.GetCookies(Registry).FirstOrDefault(c => c.Name == name);

    /// <summary>
    /// Starts the Entra sign-in, follows the redirect to the issuer and posts its form to <paramref name="callback"/>
    /// (the form's own action when null); returns the callback's response. <paramref name="start"/> is the path that
    /// starts the sign-in (the probe's, or the pages' /signin/entra).
    /// </summary>
    public async Task<HttpResponseMessage> SignInWithEntraAsync(string returnUrl, Uri? callback = null, string start = "/probe/entra")
    {
        using var challenge = await Client.GetAsync(start + "?returnUrl=" + Uri.EscapeDataString(returnUrl));
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        using var authorize = await Client.GetAsync(challenge.Headers.Location);
        var html = await authorize.Content.ReadAsStringAsync();
        Assert.True(authorize.StatusCode == HttpStatusCode.OK, html);
        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        var fields = HiddenField().Matches(html).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        return await Client.PostAsync(callback ?? new Uri(action), new FormUrlEncodedContent(fields));
    }

    public void Dispose() => Client.Dispose();

    [GeneratedRegex("<form method=\"POST\" action=\"([^\"]*)\"")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();
}
