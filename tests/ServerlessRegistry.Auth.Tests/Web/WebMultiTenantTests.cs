using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests.Web;

/// <summary>
/// Several allowed tenants: the sign-in goes to the "organizations" authority, and the registry, not the authority,
/// decides which tenants' people may sign in.
/// </summary>
public sealed class WebMultiTenantTests
{
    private const string ThirdTenant = "33333333-3333-4333-8333-333333333333";

    [Fact]
    public async Task OrganizationsAuthorityAcceptsAllowedTenantsOnly()
    {
        await using var issuer = await OidcIssuer.StartAsync();
        await using var registry = await AuthRegistryServer.StartAsync(issuer,
            new Dictionary<string, string?> { ["Auth:Entra:TenantIds:1"] = AuthRegistryServer.OtherTenant }, SessionProbe.Install);

        using (var browser = new Browser(registry.Server.BaseAddress))
        {
            var person = new BrowserSignInSpec { Tenant = AuthRegistryServer.OtherTenant };
            issuer.NextSignIn = person;
            using var callback = await browser.SignInWithEntraAsync("/");
            Assert.Equal("/", callback.Headers.Location!.OriginalString);
            Assert.Equal("organizations", new Uri(issuer.LastAuthorizeUrl!).Segments[1].TrimEnd('/'));
            Assert.Equal($"entra:{AuthRegistryServer.OtherTenant}/{person.ObjectId}", (await ProbedViewer.GetAsync(browser.Client)).Subject);
        }

        using (var stranger = new Browser(registry.Server.BaseAddress))
        {
            issuer.NextSignIn = new BrowserSignInSpec { Tenant = ThirdTenant };
            using var callback = await stranger.SignInWithEntraAsync("/");
            Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
            Assert.Equal("/signin?error=entra", callback.Headers.Location!.OriginalString);
            Assert.Null((await ProbedViewer.GetAsync(stranger.Client)).Subject);
        }
    }
}
