using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests.Web;

/// <summary>Local mode (auth off, loopback): every visitor may do everything and is an admin, as the API allows.</summary>
public sealed class WebAuthOffTests
{
    [Fact]
    public async Task EveryVisitorIsAnAdminWhoMayDoEverything()
    {
        await using var registry = await RegistryServer.StartAsync(services: SessionProbe.Install);
        using var browser = new Browser(registry.BaseAddress);

        var viewer = await ProbedViewer.GetAsync(browser.Client);
        Assert.True(viewer.Admin);
        Assert.Equal(["*=pull,push,delete"], viewer.Policy);

        using var signIn = await TokenHttp.PostFormAsync(browser.Client, "/probe/signin", ("name", "anyone"), ("secret", "anything"));
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        Assert.Contains("authentication is off", await signIn.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Forms still need the anti-forgery token: a loopback registry is reachable from any page the browser opens.
        var token = await browser.Client.GetStringAsync("/probe/form");
        using var genuine = await TokenHttp.PostFormAsync(browser.Client, "/probe/form", (ServerlessRegistry.Web.WebSession.AntiforgeryField, token));
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
        using var forged = await TokenHttp.PostFormAsync(browser.Client, "/probe/form", ("name", "x"));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }
}
