using System.Text.Json;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The app registration as `bicep snapshot` evaluates it: browsers sign in to the web interface with an ID token
/// posted back to {public base}/signin-oidc, and the registry's settings carry the same registration's client id.
/// </summary>
public sealed class WebSignInInfraTests
{
    [Fact]
    public void AppRegistrationReturnsBrowsersToTheAppsOwnHostWithAnIdToken()
    {
        var snapshot = BicepCli.Snapshot(InfraTests.DefaultParameters);
        var app = snapshot.EnumerateArray().Single(r => r.GetProperty("type").GetString()!.StartsWith("Microsoft.Graph/applications", StringComparison.Ordinal));
        var web = app.GetProperty("properties").GetProperty("web");
        Assert.True(web.GetProperty("implicitGrantSettings").GetProperty("enableIdTokenIssuance").GetBoolean());
        var redirect = Assert.Single(web.GetProperty("redirectUris").EnumerateArray()).GetString()!;
        // The default host name is known only once the site exists: the same expression the public URL setting uses.
        var publicUrl = InfraTests.AppSettingsOf(snapshot)["Registry__PublicUrl"];
        // Both are the site's https host name, evaluated the same way: format('https://{0}', reference(site).defaultHostName).
        var site = publicUrl[1..^1];
        Assert.Equal($"[format('{{0}}/signin-oidc', {site})]", redirect);
    }
}
