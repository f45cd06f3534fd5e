using Microsoft.Playwright;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Web.Tests;

/// <summary>Browser sign-in helpers: Entra ID through the local <see cref="OidcIssuer"/>, and access tokens on /signin.</summary>
public static class EntraSignIn
{
    public const string AdminRole = "Registry.Admin";

    /// <summary>
    /// Settings for Entra sign-in in the browser. The client id is the one AuthRegistryServer already lists as an
    /// audience (the default the web sign-in takes); naming it keeps the test independent of that default.
    /// </summary>
    public static Dictionary<string, string?> Settings(OidcIssuer issuer) => new()
    {
        ["Web:SignIn:ClientId"] = AuthRegistryServer.ClientId,
    };

    /// <summary>Makes the issuer's authorize endpoint sign in <paramref name="name"/> with <paramref name="roles"/> next.</summary>
    public static void SignInNextAs(OidcIssuer issuer, string name, IReadOnlyList<string> roles) =>
        issuer.NextSignIn = new BrowserSignInSpec { Name = name, Roles = [.. roles] };

    /// <summary>Signs in through "Sign in with Microsoft Entra ID" as <paramref name="name"/> and waits to be back on the registry.</summary>
    public static async Task WithEntraAsync(IPage page, OidcIssuer issuer, string name, string[] roles, IEnumerable<CapturedLine>? serverLog = null)
    {
        SignInNextAs(issuer, name, roles);
        await Pages.OpenAsync(page, "/signin", 200);
        await page.GetByText("Sign in with Microsoft Entra ID").ClickAsync();
        await BackFromSignInAsync(page, url => !url.Contains("/signin", StringComparison.Ordinal) && !url.StartsWith(issuer.Instance.ToString(), StringComparison.Ordinal), serverLog);
    }

    /// <summary>Signs in on /signin with an access token's name and secret.</summary>
    public static async Task WithTokenAsync(IPage page, string name, string secret, IEnumerable<CapturedLine>? serverLog = null)
    {
        await Pages.OpenAsync(page, "/signin", 200);
        await page.GetByLabel("Token name").FillAsync(name);
        await page.GetByLabel("Secret", new PageGetByLabelOptions { Exact = true }).FillAsync(secret);
        await page.Locator("form[action='/signin'] button[type='submit']").ClickAsync();
        await BackFromSignInAsync(page, url => !url.Contains("/signin", StringComparison.Ordinal), serverLog);
    }

    private static Task BackFromSignInAsync(IPage page, Func<string, bool> done, IEnumerable<CapturedLine>? serverLog) =>
        Pages.WaitForAddressAsync(page, u => done(u.AbsoluteUri), "the sign-in to come back", () => "Server warnings:\n" + string.Join("\n",
            serverLog?.Where(l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => $"{l.Category}: {l.Message}") ?? []));
}
