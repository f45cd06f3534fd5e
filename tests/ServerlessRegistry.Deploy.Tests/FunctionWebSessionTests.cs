using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Functions;
using ServerlessRegistry.Hosting;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Web;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// Browser sessions through the HTTP function, which has no middleware: the worker's service registration
/// (<see cref="WorkerSetup"/>) on Azurite, each request a <see cref="DefaultHttpContext"/> handed to
/// <see cref="RegistryFunction"/>, and a front end that exposes <see cref="WebSession"/> in place of the pages, or the pages themselves.
/// </summary>
public sealed partial class FunctionWebSessionTests
{
    private const string Tenant = AuthRegistryServer.Tenant;
    private const string ClientId = AuthRegistryServer.ClientId;
    private static readonly Uri PublicUrl = new("https://func-test.azurewebsites.net/");

    [Fact]
    public async Task EntraRoundTripThroughTheHttpFunctionSignsIn()
    {
        await using var issuer = await OidcIssuer.StartAsync();
        await using var worker = await Worker.StartAsync(issuer);
        var person = new BrowserSignInSpec { Roles = ["Registry.Delete"], Name = "Katherine Johnson" };
        issuer.NextSignIn = person;

        var challenge = await worker.SendAsync("GET", "/probe/entra?returnUrl=%2Fr%2Fteam%2Fapp");
        Assert.Equal(StatusCodes.Status302Found, challenge.Status);
        using var issuerClient = new HttpClient();
        var html = await issuerClient.GetStringAsync(challenge.Location);
        Assert.Equal(new Uri(PublicUrl, "/signin-oidc").ToString(), issuer.LastAuthorize["redirect_uri"]);
        var fields = HiddenField().Matches(html).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));

        var callback = await worker.SendAsync("POST", "/signin-oidc", new FormUrlEncodedContent(fields));
        Assert.Equal(StatusCodes.Status302Found, callback.Status);
        Assert.Equal("/r/team/app", callback.Location);
        var session = callback.SetCookies.Single(c => c.StartsWith("__Host-sr.session=", StringComparison.Ordinal));
        // Off loopback the session cookie is Secure (so "__Host-"), HttpOnly and SameSite=Lax.
        Assert.Contains("; secure", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; samesite=lax", session, StringComparison.OrdinalIgnoreCase);

        var viewer = await worker.SendAsync("GET", "/probe/viewer");
        var json = JsonDocument.Parse(viewer.Body).RootElement;
        Assert.Equal($"entra:{Tenant}/{person.ObjectId}", json.GetProperty("subject").GetString());
        Assert.Equal("*=pull,delete", json.GetProperty("policy")[0].GetString());
    }

    [Fact]
    public async Task TokenSignInAndAntiforgeryWorkUnderTheWorker()
    {
        await using var issuer = await OidcIssuer.StartAsync();
        await using var worker = await Worker.StartAsync(issuer);
        var (info, secret) = await worker.Services.GetRequiredService<AccessTokenStore>().CreateAsync(
            "fn-" + Guid.NewGuid().ToString("N")[..8], ["team/*"], RegistryActions.Pull, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);

        var signIn = await worker.SendAsync("POST", "/probe/signin", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = info.Name, ["secret"] = secret }));
        Assert.Equal(StatusCodes.Status303SeeOther, signIn.Status);
        var viewer = JsonDocument.Parse((await worker.SendAsync("GET", "/probe/viewer")).Body).RootElement;
        Assert.Equal("token:" + info.Name, viewer.GetProperty("subject").GetString());

        var token = (await worker.SendAsync("GET", "/probe/form")).Body;
        var genuine = await worker.SendAsync("POST", "/probe/form", new FormUrlEncodedContent(new Dictionary<string, string> { [WebSession.AntiforgeryField] = token }));
        Assert.Equal(StatusCodes.Status200OK, genuine.Status);
        var forged = await worker.SendAsync("POST", "/probe/form", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "x" }));
        Assert.Equal(StatusCodes.Status400BadRequest, forged.Status);
    }

    [Fact]
    public async Task PagesSignInAndRefuseForgedPostsThroughTheHttpFunction()
    {
        await using var issuer = await OidcIssuer.StartAsync();
        await using var worker = await Worker.StartAsync(issuer, pages: true);
        var manifests = worker.Services.GetRequiredService<ServerlessRegistry.Core.Registry.ManifestService>();
        var index = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
        foreach (var repository in new[] { "team/app", "other/app" })
        {
            await manifests.PutAsync(repository, ServerlessRegistry.Core.Registry.ManifestReference.Parse("v1"), index, "application/vnd.oci.image.index.v1+json", [], CancellationToken.None);
        }

        var (info, secret) = await worker.Services.GetRequiredService<AccessTokenStore>().CreateAsync(
            "fn-" + Guid.NewGuid().ToString("N")[..8], ["team/*"], RegistryActions.Pull, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        var form = await worker.SendAsync("GET", "/signin");
        Assert.Equal(StatusCodes.Status200OK, form.Status);
        var fields = HiddenField().Matches(form.Body).ToDictionary(m => m.Groups[1].Value, m => WebUtility.HtmlDecode(m.Groups[2].Value));
        fields["name"] = info.Name;
        fields["secret"] = secret;
        var signIn = await worker.SendAsync("POST", "/signin", new FormUrlEncodedContent(fields));
        Assert.Equal(StatusCodes.Status303SeeOther, signIn.Status);

        var repositories = await worker.SendAsync("GET", "/");
        Assert.Equal(StatusCodes.Status200OK, repositories.Status);
        Assert.Contains("data-repository=\"team/app\"", repositories.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("other/app", repositories.Body, StringComparison.Ordinal);
        Assert.Equal(StatusCodes.Status404NotFound, (await worker.SendAsync("GET", "/r/other/app")).Status);

        // A post without the anti-forgery token changes nothing, even for a viewer who may not delete anyway.
        var forged = await worker.SendAsync("POST", "/r/team/app/-/delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["tag"] = "v1" }));
        Assert.Equal(StatusCodes.Status400BadRequest, forged.Status);
        Assert.Contains("data-tag=\"v1\"", (await worker.SendAsync("GET", "/r/team/app")).Body, StringComparison.Ordinal);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();

    /// <summary>What one function invocation answered.</summary>
    private sealed record Answer(int Status, string? Location, IReadOnlyList<string> SetCookies, string Body);

    /// <summary>The worker's services on Azurite with auth on, a cookie jar, and requests run through <see cref="RegistryFunction"/>.</summary>
    private sealed class Worker(ServiceProvider services, Azurite azurite, string prefix) : IAsyncDisposable
    {
        private readonly CookieContainer _cookies = new();

        public IServiceProvider Services => services;

        public static async Task<Worker> StartAsync(OidcIssuer issuer, bool pages = false)
        {
            var azurite = await Azurite.GetAsync();
            var prefix = Azurite.NewPrefix();
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(azurite.RegistrySettings(prefix))
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Registry:PublicUrl"] = PublicUrl.ToString().TrimEnd('/'),
                    ["Logging:LogLevel:Default"] = "Warning",
                    ["Auth:Enabled"] = "true",
                    ["Auth:Entra:Instance"] = issuer.Instance.ToString(),
                    ["Auth:Entra:TenantIds:0"] = Tenant,
                    ["Auth:Entra:Audiences:0"] = ClientId,
                    ["Auth:RevocationCheckInterval"] = "00:00:00",
                })
                .Build();
            var collection = new ServiceCollection()
                .AddSingleton<IConfiguration>(configuration)
                .AddLogging()
                .AddRegistryWorker(configuration);
            if (!pages)
            {
                collection.RemoveAll<IRegistryFrontEnd>();
                collection.AddSingleton<IRegistryFrontEnd, Probe>();
            }

            return new Worker(collection.BuildServiceProvider(), azurite, prefix);
        }

        public async Task<Answer> SendAsync(string method, string pathAndQuery, HttpContent? content = null)
        {
            await using var scope = services.CreateAsyncScope();
            var body = new MemoryStream();
            var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
            context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
            var request = context.Request;
            request.Method = method;
            // The worker's own address; the pipeline applies Registry:PublicUrl (https) before anything else.
            request.Scheme = "http";
            request.Host = new HostString("127.0.0.1", 7071);
            var uri = new Uri(PublicUrl, pathAndQuery);
            request.Path = uri.AbsolutePath;
            request.QueryString = new QueryString(uri.Query);
            if (_cookies.GetCookieHeader(PublicUrl) is { Length: > 0 } cookie)
            {
                request.Headers.Cookie = cookie;
            }

            if (content is not null)
            {
                request.ContentType = content.Headers.ContentType!.ToString();
                request.Body = new MemoryStream(await content.ReadAsByteArrayAsync());
            }

            var function = ActivatorUtilities.CreateInstance<RegistryFunction>(scope.ServiceProvider);
            await function.RunAsync(request);
            var setCookies = context.Response.Headers.SetCookie.Select(v => v!).ToList();
            foreach (var header in setCookies)
            {
                _cookies.SetCookies(PublicUrl, header);
            }

            return new Answer(context.Response.StatusCode, context.Response.Headers.Location.FirstOrDefault(), setCookies, Encoding.UTF8.GetString(body.ToArray()));
        }

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            await StorageCleanup.DeletePrefixAsync(azurite, prefix);
        }
    }

    /// <summary>A front end in place of the pages: the callback, a challenge, the viewer as JSON, token sign-in and a guarded form.</summary>
    private sealed class Probe(WebSession session) : IRegistryFrontEnd
    {
        public async Task<bool> TryHandleAsync(HttpContext context)
        {
            if (await session.TryHandleCallbackAsync(context))
            {
                return true;
            }

            switch (context.Request.Method, context.Request.Path.Value)
            {
                case ("GET", "/probe/entra"):
                    await session.ChallengeEntraAsync(context, context.Request.Query["returnUrl"].ToString());
                    return true;
                case ("GET", "/probe/viewer"):
                    var viewer = await session.ViewerAsync(context);
                    await context.Response.WriteAsync(JsonSerializer.Serialize(new { subject = viewer.Subject, policy = viewer.Policy.Select(g => g.ToString()) }));
                    return true;
                case ("POST", "/probe/signin"):
                    var form = await context.Request.ReadFormAsync();
                    var error = await session.SignInWithTokenAsync(context, form["name"].ToString(), form["secret"].ToString());
                    context.Response.StatusCode = error is null ? StatusCodes.Status303SeeOther : StatusCodes.Status401Unauthorized;
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
}
