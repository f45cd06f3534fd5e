using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Web.Session;

namespace ServerlessRegistry.Auth.Tests.Web;

/// <summary>
/// The pages' own front end (auth on, Kestrel, Azurite) with a sign-in hook that fails after a valid callback when the
/// return URL is <see cref="FailingReturnUrl"/>, standing in for any failure inside the OpenID Connect callback.
/// </summary>
public sealed class WebPagesFixture : IAsyncLifetime
{
    public const string FailingReturnUrl = "/fail-after-sign-in";

    public OidcIssuer Issuer { get; private set; } = null!;
    public AuthRegistryServer Registry { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Issuer = await OidcIssuer.StartAsync();
        Registry = await AuthRegistryServer.StartAsync(Issuer, services: services =>
            services.PostConfigure<OpenIdConnectOptions>(WebSessionOptions.EntraScheme, options =>
            {
                var received = options.Events.OnTicketReceived;
                options.Events.OnTicketReceived = context => context.ReturnUri == FailingReturnUrl
                    ? throw new InvalidOperationException("sign-in hook failed")
                    : received(context);
            }));
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    internal Browser NewBrowser() => new(Registry.Server.BaseAddress);
}

/// <summary>
/// Forms the pages accept (small application/x-www-form-urlencoded bodies, read once with tight limits before the
/// anti-forgery check) and what sign-in does with odd return URLs and failed callbacks, over real HTTP.
/// </summary>
public sealed partial class WebFormTests(WebPagesFixture fixture) : IClassFixture<WebPagesFixture>
{
    private const string FormExpired = "not sent from this site";

    [Fact]
    public async Task DeclaredBodyOverTheLimitIsRefusedWith413BeforeItIsRead()
    {
        using var browser = fixture.NewBrowser();
        var token = await SignInFormTokenAsync(browser);
        var body = $"__RequestVerificationToken={Uri.EscapeDataString(token)}&name=x&secret=" + new string('a', 64 * 1024);
        using var content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded");
        using var response = await browser.Client.PostAsync("/signin", content);
        await AssertPageAsync(response, HttpStatusCode.RequestEntityTooLarge, "too large");
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimitIsRefusedWith413()
    {
        using var browser = fixture.NewBrowser();
        var token = await SignInFormTokenAsync(browser);
        // 50 values of 2,000 bytes: within every per-value limit, over 64 KiB in all, with no Content-Length declared.
        var body = $"__RequestVerificationToken={Uri.EscapeDataString(token)}" + string.Concat(Enumerable.Range(0, 50).Select(i => $"&v{i}=" + new string('a', 2000)));
        using var content = new StreamContent(new NonSeekableStream(Encoding.ASCII.GetBytes(body)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var response = await browser.Client.PostAsync("/signin", content);
        await AssertPageAsync(response, HttpStatusCode.RequestEntityTooLarge, "too large");
    }

    [Fact]
    public async Task MultipartFormIsRefusedWith415EvenWithAValidToken()
    {
        using var browser = fixture.NewBrowser();
        var token = await SignInFormTokenAsync(browser);
        using var content = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("x"), "name" },
            { new StringContent("y"), "secret" },
        };
        using var response = await browser.Client.PostAsync("/signin", content);
        await AssertPageAsync(response, HttpStatusCode.UnsupportedMediaType, "application/x-www-form-urlencoded");
    }

    [Fact]
    public async Task FormWithTooManyFieldsIsTheFormExpiredPageNotA500()
    {
        using var browser = fixture.NewBrowser();
        var token = await SignInFormTokenAsync(browser);
        var body = $"__RequestVerificationToken={Uri.EscapeDataString(token)}" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"&k{i}="));
        using var content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded");
        using var response = await browser.Client.PostAsync("/signin", content);
        await AssertPageAsync(response, HttpStatusCode.BadRequest, FormExpired);
    }

    [Theory]
    [InlineData("/r/caf\u00e9")]
    [InlineData("/r/app?x=\u4e2d")]
    [InlineData("/r/a b")]
    public async Task TokenSignInWithAReturnUrlTheLocationHeaderRefusesGoesHome(string returnUrl)
    {
        using var browser = fixture.NewBrowser();
        var (name, secret) = await CreateTokenAsync();
        var token = await SignInFormTokenAsync(browser);
        using var response = await TokenHttp.PostFormAsync(browser.Client, "/signin",
            ("__RequestVerificationToken", token), ("returnUrl", returnUrl), ("name", name), ("secret", secret));
        Assert.True(response.StatusCode == HttpStatusCode.SeeOther, $"{(int)response.StatusCode}\n{await response.Content.ReadAsStringAsync()}");
        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task EntraSignInWithANonAsciiReturnUrlGoesHome()
    {
        using var browser = fixture.NewBrowser();
        fixture.Issuer.NextSignIn = new BrowserSignInSpec { Roles = ["Registry.Pull"] };
        using var callback = await browser.SignInWithEntraAsync("/r/caf\u00e9", start: "/signin/entra");
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"{(int)callback.StatusCode}\n{await callback.Content.ReadAsStringAsync()}");
        Assert.Equal("/", callback.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task FailedCallbackRendersTheHtmlErrorPage()
    {
        using var browser = fixture.NewBrowser();
        fixture.Issuer.NextSignIn = new BrowserSignInSpec { Roles = ["Registry.Pull"] };
        using var callback = await browser.SignInWithEntraAsync(WebPagesFixture.FailingReturnUrl, start: "/signin/entra");
        await AssertPageAsync(callback, HttpStatusCode.InternalServerError, "went wrong");
    }

    [Fact]
    public async Task EntraErrorShowsAFixedMessageAndNeverTheQueryValue()
    {
        using var browser = fixture.NewBrowser();
        using var entra = await browser.Client.GetAsync("/signin?error=entra");
        var html = await AssertPageAsync(entra, HttpStatusCode.OK, "Sign-in with Microsoft Entra ID did not complete. Ask an administrator for a Registry role, or try again.");
        Assert.Contains("role=\"alert\"", html, StringComparison.Ordinal);

        var marker = "marker-" + Guid.NewGuid().ToString("N");
        using var other = await browser.Client.GetAsync("/signin?error=" + marker);
        var otherHtml = await AssertPageAsync(other, HttpStatusCode.OK, "Token name");
        // Only inside the header's percent-encoded sign-in link back to this page, never as text.
        Assert.Equal(Regex.Count(otherHtml, "%3D" + marker), Regex.Count(otherHtml, marker));
        Assert.DoesNotContain("did not complete", otherHtml, StringComparison.Ordinal);
    }

    private async Task<(string Name, string Secret)> CreateTokenAsync()
    {
        var tokens = fixture.Registry.Server.Services.GetRequiredService<AccessTokenStore>();
        var name = AuthFixture.NewName("webform");
        var (_, secret) = await tokens.CreateAsync(name, ["team/*"], RegistryActions.Pull, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        return (name, secret);
    }

    /// <summary>Loads the sign-in page (which sets the anti-forgery cookie) and returns its form's token.</summary>
    private static async Task<string> SignInFormTokenAsync(Browser browser)
    {
        using var page = await browser.Client.GetAsync("/signin");
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, html);
        return WebUtility.HtmlDecode(AntiforgeryInput().Match(html).Groups[1].Value);
    }

    private static async Task<string> AssertPageAsync(HttpResponseMessage response, HttpStatusCode status, string text)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}, expected {(int)status}\n{html}");
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains(text, html, StringComparison.Ordinal);
        return html;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]*)\"")]
    private static partial Regex AntiforgeryInput();
}
