using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests.Web;

/// <summary>A local OIDC issuer and a registry (auth on, Kestrel, Azurite) whose front end is <see cref="SessionProbe"/>.</summary>
public sealed class WebSessionFixture : IAsyncLifetime
{
    public OidcIssuer Issuer { get; private set; } = null!;
    public AuthRegistryServer Registry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Issuer = await OidcIssuer.StartAsync();
        Registry = await AuthRegistryServer.StartAsync(Issuer, services: SessionProbe.Install);
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    internal Browser NewBrowser() => new(Registry.Server.BaseAddress);

    internal AccessTokenStore Tokens => Registry.Server.Services.GetRequiredService<AccessTokenStore>();

    internal async Task<(string Name, string Secret)> CreateTokenAsync(string repositories, RegistryActions actions)
    {
        var name = AuthFixture.NewName("web");
        var (_, secret) = await Tokens.CreateAsync(name, [repositories], actions, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        return (name, secret);
    }
}

/// <summary>
/// Browser sessions over real HTTP: the Entra ID OpenID Connect round trip (challenge, the issuer's form post to
/// /signin-oidc, the session cookie), access-token sign-in and its revocation, anti-forgery, and cookies read by another
/// instance on the same storage.
/// </summary>
public sealed class WebSessionTests(WebSessionFixture fixture) : IClassFixture<WebSessionFixture>
{
    private const string SessionCookie = "sr.session";

    [Fact]
    public async Task EntraSignInRoundTripGivesAViewerWithTheRolesActions()
    {
        using var browser = fixture.NewBrowser();
        var person = new BrowserSignInSpec { Roles = ["Registry.Push"], Name = "Grace Hopper" };
        fixture.Issuer.NextSignIn = person;

        using var callback = await browser.SignInWithEntraAsync("/r/team/app");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/r/team/app", callback.Headers.Location!.OriginalString);
        var asked = fixture.Issuer.LastAuthorize;
        Assert.Equal(AuthRegistryServer.ClientId, asked["client_id"]);
        Assert.Equal("id_token", asked["response_type"]);
        Assert.Equal("form_post", asked["response_mode"]);
        Assert.Equal(new Uri(fixture.Registry.Server.BaseAddress, "/signin-oidc"), new Uri(asked["redirect_uri"]));
        var cookie = browser.Cookie(SessionCookie);
        Assert.NotNull(cookie);
        Assert.True(cookie.HttpOnly);
        Assert.False(cookie.Secure); // plain HTTP on loopback only

        var viewer = await ProbedViewer.GetAsync(browser.Client);
        Assert.Equal($"entra:{AuthRegistryServer.Tenant}/{person.ObjectId}", viewer.Subject);
        Assert.Equal("Grace Hopper", viewer.Name);
        Assert.False(viewer.Admin);
        Assert.Equal(["*=pull,push", "public/*=pull"], viewer.Policy);
    }

    [Fact]
    public async Task EntraAdminRoleMakesAnAdminViewer()
    {
        using var browser = fixture.NewBrowser();
        fixture.Issuer.NextSignIn = new BrowserSignInSpec { Roles = ["Registry.Pull", "Registry.Admin"] };
        using var callback = await browser.SignInWithEntraAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);

        var viewer = await ProbedViewer.GetAsync(browser.Client);
        Assert.True(viewer.Admin);
        Assert.Equal(["*=pull,push,delete,admin", "public/*=pull"], viewer.Policy);
    }

    public static TheoryData<string> EntraRefusals => ["wrong tenant", "wrong nonce", "wrong audience", "no registry role"];

    [Theory]
    [MemberData(nameof(EntraRefusals))]
    public async Task EntraSignInIsRefused(string problem)
    {
        using var browser = fixture.NewBrowser();
        fixture.Issuer.NextSignIn = problem switch
        {
            "wrong tenant" => new BrowserSignInSpec { Tenant = AuthRegistryServer.OtherTenant },
            "wrong nonce" => new BrowserSignInSpec { Nonce = "not-the-nonce-that-was-sent" },
            "wrong audience" => new BrowserSignInSpec { Audience = "6a7b8c9d-0000-4000-8000-0000000000ff" },
            _ => new BrowserSignInSpec { Roles = ["Some.Other.Role"] },
        };

        using var callback = await browser.SignInWithEntraAsync("/r/team/app");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/signin?error=entra", callback.Headers.Location!.OriginalString);
        Assert.Null(browser.Cookie(SessionCookie));
        Assert.Null((await ProbedViewer.GetAsync(browser.Client)).Subject);
    }

    [Fact]
    public async Task ReturnUrlOutsideTheSiteGoesHome()
    {
        using var browser = fixture.NewBrowser();
        fixture.Issuer.NextSignIn = new BrowserSignInSpec();
        using var callback = await browser.SignInWithEntraAsync("//evil.example/steal");
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/", callback.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AnonymousViewerHasAnonymousPullOnly()
    {
        using var browser = fixture.NewBrowser();
        var viewer = await ProbedViewer.GetAsync(browser.Client);
        Assert.Null(viewer.Subject);
        Assert.False(viewer.Admin);
        Assert.Equal(["public/*=pull"], viewer.Policy);
    }

    [Fact]
    public async Task AccessTokenSignInGivesTheTokensPolicyUntilItIsRevoked()
    {
        var (name, secret) = await fixture.CreateTokenAsync("team/*", RegistryActions.Pull);
        using var browser = fixture.NewBrowser();

        using var wrong = await TokenHttp.PostFormAsync(browser.Client, "/probe/signin", ("name", name), ("secret", secret + "x"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Null(browser.Cookie(SessionCookie));

        using var signIn = await TokenHttp.PostFormAsync(browser.Client, "/probe/signin", ("name", name), ("secret", secret));
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        var viewer = await ProbedViewer.GetAsync(browser.Client);
        Assert.Equal("token:" + name, viewer.Subject);
        Assert.Equal(name, viewer.Name);
        Assert.False(viewer.Admin);
        Assert.Equal(["team/*=pull", "public/*=pull"], viewer.Policy);

        Assert.True(await fixture.Tokens.RevokeAsync(name, CancellationToken.None));

        // Auth:RevocationCheckInterval is 0 on this server: the next request sees the revocation and drops the cookie.
        Assert.Null((await ProbedViewer.GetAsync(browser.Client)).Subject);
        Assert.Null(browser.Cookie(SessionCookie));
    }

    [Fact]
    public async Task SignOutEndsTheSession()
    {
        var (name, secret) = await fixture.CreateTokenAsync("team/*", RegistryActions.Pull);
        using var browser = fixture.NewBrowser();
        using var signIn = await TokenHttp.PostFormAsync(browser.Client, "/probe/signin", ("name", name), ("secret", secret));
        var stolen = browser.Cookie(SessionCookie)!.Value;

        using var signOut = await browser.Client.PostAsync("/probe/signout", null);
        Assert.Null(browser.Cookie(SessionCookie));
        Assert.Null((await ProbedViewer.GetAsync(browser.Client)).Subject);
        Assert.NotEmpty(stolen);
    }

    [Fact]
    public async Task AntiforgeryTokenValidatesAndAForgedPostFails()
    {
        using var browser = fixture.NewBrowser();
        var token = await browser.Client.GetStringAsync("/probe/form");
        Assert.NotNull(browser.Cookie("sr.antiforgery"));

        using var genuine = await TokenHttp.PostFormAsync(browser.Client, "/probe/form", ("__RequestVerificationToken", token), ("name", "x"));
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);

        using var withoutToken = await TokenHttp.PostFormAsync(browser.Client, "/probe/form", ("name", "x"));
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);

        // Another site's page can post the token it once saw, but the victim's browser holds a different cookie.
        using var attacker = fixture.NewBrowser();
        using var forged = await TokenHttp.PostFormAsync(attacker.Client, "/probe/form", ("__RequestVerificationToken", token), ("name", "x"));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task SecureCookiesCarryTheHostPrefix()
    {
        // Plain HTTP to a host that is not loopback: the cookies are Secure, so they are "__Host-" cookies.
        var (name, secret) = await fixture.CreateTokenAsync("team/*", RegistryActions.Pull);
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = fixture.Registry.Server.BaseAddress };

        using var form = await SendAsync(client, HttpMethod.Get, "/probe/form", null, null);
        var antiforgery = SetCookie(form, "__Host-sr.antiforgery");
        var token = await form.Content.ReadAsStringAsync();
        using var post = await SendAsync(client, HttpMethod.Post, "/probe/form", antiforgery, new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        using var oldName = await SendAsync(client, HttpMethod.Post, "/probe/form", "sr.antiforgery=" + antiforgery.Split('=', 2)[1],
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal(HttpStatusCode.BadRequest, oldName.StatusCode);

        using var signIn = await SendAsync(client, HttpMethod.Post, "/probe/signin", null, new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = name, ["secret"] = secret }));
        Assert.Equal(HttpStatusCode.SeeOther, signIn.StatusCode);
        var session = SetCookie(signIn, "__Host-sr.session");
        using var viewer = await SendAsync(client, HttpMethod.Get, "/probe/viewer", session, null);
        Assert.Contains("token:" + name, await viewer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, string? cookie, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Host = "registry.example";
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        return await client.SendAsync(request);
    }

    /// <summary>The "name=value" of the Set-Cookie named <paramref name="name"/>, asserting the "__Host-" rules: Secure, Path=/, no Domain.</summary>
    private static string SetCookie(HttpResponseMessage response, string name)
    {
        var header = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(name + "=", StringComparison.Ordinal));
        Assert.Contains("; secure", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("; path=/", header, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", header, StringComparison.OrdinalIgnoreCase);
        return header.Split(';')[0];
    }

    [Fact]
    public async Task AnotherInstanceOnTheSameStorageReadsTheCookies()
    {
        await using var other = await AuthRegistryServer.StartAsync(fixture.Issuer,
            new Dictionary<string, string?> { ["Storage:Prefix"] = fixture.Registry.Server.Prefix }, SessionProbe.Install);
        var otherBase = other.Server.BaseAddress.ToString().TrimEnd('/');

        // Challenge on this instance, callback on the other: state and correlation need the shared keys too.
        using var browser = fixture.NewBrowser();
        var person = new BrowserSignInSpec { Roles = ["Registry.Pull"] };
        fixture.Issuer.NextSignIn = person;
        using var callback = await browser.SignInWithEntraAsync("/", new Uri(otherBase + "/signin-oidc"));
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/", callback.Headers.Location!.OriginalString);

        // Cookies ignore ports, so both instances see the same jar.
        Assert.Equal($"entra:{AuthRegistryServer.Tenant}/{person.ObjectId}", (await ProbedViewer.GetAsync(browser.Client, otherBase)).Subject);
        Assert.Equal($"entra:{AuthRegistryServer.Tenant}/{person.ObjectId}", (await ProbedViewer.GetAsync(browser.Client)).Subject);

        var token = await browser.Client.GetStringAsync("/probe/form");
        using var post = await TokenHttp.PostFormAsync(browser.Client, otherBase + "/probe/form", ("__RequestVerificationToken", token));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);

        var storage = fixture.Registry.Server.Services.GetRequiredService<RegistryStorage>();
        var keys = await storage.Metadata.QueryAsync(storage.Layout.AuthTable, new RowQuery { PartitionKey = DataProtectionKeyRow.Partition }, CancellationToken.None);
        Assert.NotEmpty(keys.Rows);
        Assert.All(keys.Rows, row => Assert.StartsWith("<key ", DataProtectionKeyRow.FromRow(row).Xml, StringComparison.Ordinal));
    }
}
