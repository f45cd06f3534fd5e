using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Web.Tests;

/// <summary>Auth on: what anonymous visitors, access-token sessions and Entra admins see and may do.</summary>
[Collection(SignInCollection.Name)]
public sealed class SignInTests(WebBrowser browser, AuthSampleRegistry registry) : IClassFixture<AuthSampleRegistry>
{
    private Uri Base => registry.Server.Server.BaseAddress;

    [Fact]
    public async Task AnonymousSeesOnlyAnonymousPullRepositories()
    {
        await using var context = await browser.NewContextAsync(Base);
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, "/", 200);
        await Assertions.Expect(page.Locator("#repositories tr[data-repository]")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator($"#repositories tr[data-repository='{AuthSampleRegistry.Public}']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Sign in" }).First).ToBeVisibleAsync();
        await WebBrowser.ScreenshotAsync(page, nameof(AnonymousSeesOnlyAnonymousPullRepositories), "repositories");

        await Pages.OpenAsync(page, $"/r/{AuthSampleRegistry.Team}", 404);
        await Assertions.Expect(page.Locator($"a[href^='/signin?returnUrl=']")).Not.ToHaveCountAsync(0);
        await WebBrowser.ScreenshotAsync(page, nameof(AnonymousSeesOnlyAnonymousPullRepositories), "not-found");
        await Pages.OpenAsync(page, "/tokens", 403);
    }

    [Fact]
    public async Task TokenSessionListsOnlyWhatTheTokenMayPull()
    {
        await using var context = await browser.NewContextAsync(Base);
        var page = await context.NewPageAsync();
        await Pages.OpenAsync(page, "/signin", 200);
        await WebBrowser.ScreenshotAsync(page, nameof(TokenSessionListsOnlyWhatTheTokenMayPull), "signin");
        await Pages.AssertAccessibleAsync(page, "/signin");
        await EntraSignIn.WithTokenAsync(page, registry.Reader.Name, registry.Reader.Secret, registry.Logs.Lines);
        await Pages.OpenAsync(page, "/", 200);
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync(registry.Reader.Name);

        var listed = await page.Locator("#repositories tr[data-repository]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.repository)");
        Assert.Equal([AuthSampleRegistry.Public, AuthSampleRegistry.Team], listed.Order(StringComparer.Ordinal));
        await Pages.OpenAsync(page, $"/r/{AuthSampleRegistry.Team}", 200);
        await Assertions.Expect(page.Locator("#tags a[href*='/-/delete?']")).ToHaveCountAsync(0);
        await Pages.OpenAsync(page, $"/r/{AuthSampleRegistry.Other}", 404);
        await Pages.OpenAsync(page, $"/r/{AuthSampleRegistry.Other}/-/manifest/{registry.App.IndexDigest}", 404);
        await Pages.OpenAsync(page, "/tokens", 403);
    }

    [Fact]
    public async Task FormPostWithoutAntiforgeryTokenIsRefused()
    {
        await using var context = await browser.NewContextAsync(Base);
        var page = await context.NewPageAsync();
        await EntraSignIn.WithTokenAsync(page, registry.Deleter.Name, registry.Deleter.Secret, registry.Logs.Lines);
        await Pages.OpenAsync(page, $"/r/{AuthSampleRegistry.Team}/-/delete?tag={SampleImages.Tag}", 200);

        // The session cookie the browser holds, sent from elsewhere without the form's token.
        var cookies = new CookieContainer();
        foreach (var cookie in await context.CookiesAsync())
        {
            cookies.Add(new System.Net.Cookie(cookie.Name, cookie.Value, cookie.Path, cookie.Domain));
        }

        using var client = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = Base };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["tag"] = SampleImages.Tag });
        using var response = await client.PostAsync($"/r/{AuthSampleRegistry.Team}/-/delete", form);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}\n{body}");
        Assert.Contains("not sent from this site", body, StringComparison.Ordinal);

        await Pages.OpenAsync(page, $"/r/{AuthSampleRegistry.Team}", 200);
        await Assertions.Expect(page.Locator($"#tags tr[data-tag='{SampleImages.Tag}']")).ToHaveCountAsync(1);
    }

    [Fact]
    public async Task EntraAdminSeesNameAndAdminPages()
    {
        await using var context = await browser.NewContextAsync(Base);
        var page = await context.NewPageAsync();
        await EntraSignIn.WithEntraAsync(page, registry.Issuer, "Ada Admin", [EntraSignIn.AdminRole], registry.Logs.Lines);
        await Pages.OpenAsync(page, "/", 200);
        await Assertions.Expect(page.Locator("header")).ToContainTextAsync("Ada Admin");
        await Assertions.Expect(page.Locator("header a[href='/tokens'], nav a[href='/tokens']").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("header a[href='/usage'], nav a[href='/usage']").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#repositories tr[data-repository]")).ToHaveCountAsync(3);
        await WebBrowser.ScreenshotAsync(page, nameof(EntraAdminSeesNameAndAdminPages), "repositories-admin");

        await Pages.OpenAsync(page, "/usage", 200);
        await Assertions.Expect(page.Locator($"#usage tr[data-repository='{AuthSampleRegistry.Public}']")).ToHaveCountAsync(1);
        await WebBrowser.ScreenshotAsync(page, nameof(EntraAdminSeesNameAndAdminPages), "usage");
        await Pages.AssertAccessibleAsync(page, "/usage");
    }

    [Fact]
    public async Task AdminCreatesTokenThatPodmanLogsInAndPullsWith()
    {
        await using var context = await browser.NewContextAsync(Base);
        var page = await context.NewPageAsync();
        await EntraSignIn.WithEntraAsync(page, registry.Issuer, "Ada Admin", [EntraSignIn.AdminRole], registry.Logs.Lines);
        await Pages.OpenAsync(page, "/tokens", 200);
        var name = "web-created-" + Guid.NewGuid().ToString("N")[..6];
        var create = page.Locator("form[method='post'][action='/tokens']");
        await create.Locator("input[name='name']").FillAsync(name);
        await create.Locator("textarea[name='repositories']").FillAsync("team/*");
        await create.Locator("input[name='actions'][value='pull']").CheckAsync();
        await Assertions.Expect(create.Locator("input[name='expires']")).ToHaveValueAsync("30");
        await create.Locator("button[type='submit']").ClickAsync();

        var secret = (await page.Locator("code#token-secret").InnerTextAsync()).Trim();
        Assert.StartsWith("srt_", secret, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("code#docker-login")).ToHaveTextAsync($"docker login {registry.Server.HostPort} --username {name} --password-stdin");
        await Assertions.Expect(page.Locator($"#tokens tr[data-token='{name}']")).ToHaveCountAsync(1);
        await WebBrowser.ScreenshotAsync(page, nameof(AdminCreatesTokenThatPodmanLogsInAndPullsWith), "tokens");
        await Pages.AssertAccessibleAsync(page, "/tokens");

        await AssertPodmanLogsInAndPullsAsync(name, secret);
    }

    /// <summary>podman login and pull with a token the store made, as the tokens page makes them (same store, same rules).</summary>
    [Fact]
    public async Task PodmanLogsInWithStoredTokenAndPullsOnlyItsRepositories()
    {
        var store = registry.Server.Server.Services.GetRequiredService<ServerlessRegistry.Auth.AccessTokenStore>();
        var name = "web-podman-" + Guid.NewGuid().ToString("N")[..6];
        var (_, secret) = await store.CreateAsync(name, ["team/*"], ServerlessRegistry.Auth.RegistryActions.Pull, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);
        await AssertPodmanLogsInAndPullsAsync(name, secret);
    }

    /// <summary>podman login with the token, a pull inside its patterns succeeds, one outside is refused.</summary>
    private async Task AssertPodmanLogsInAndPullsAsync(string name, string secret)
    {
        using var sandbox = new ContainersSandbox();
        var podman = new Podman(sandbox);
        await podman.RunAsync(["login", "--tls-verify=false", "--username", name, "--password", secret, registry.Server.HostPort]);
        await podman.PullAsync($"{registry.Server.HostPort}/{AuthSampleRegistry.Team}:{SampleImages.Tag}");
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => podman.PullAsync($"{registry.Server.HostPort}/{AuthSampleRegistry.Other}:{SampleImages.Tag}"));
        Assert.Contains("podman", refused.Message, StringComparison.Ordinal);
    }
}
