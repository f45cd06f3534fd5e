using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>
/// docker login with an Entra ID access token as the password (username = the null GUID), against a local OIDC issuer
/// with real keys: what is accepted, and every way a token is refused.
/// </summary>
public sealed class EntraSignInTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    private const string User = AuthRegistryServer.EntraUser;

    [Fact]
    public async Task AcceptsValidV2TokenAndGrantsRequestedPushScope()
    {
        var repository = AuthFixture.NewName("entra/v2");
        var token = await TokenHttp.GetTokenAsync(fixture.Client, (User, fixture.EntraToken()), $"repository:{repository}:pull,push");
        Assert.Equal($"repository:{repository}:pull,push", token.GetProperty("scope").GetString());
        await TokenHttp.PushBlobAsync(fixture.Client, token.GetProperty("token").GetString()!, repository, OciHttp.RandomBytes(100));
    }

    [Fact]
    public async Task AcceptsValidV1TokenWithAppIdUriAudience()
    {
        var entra = fixture.EntraToken(s => s with { V2 = false, Audience = AuthRegistryServer.AppIdUri, Roles = ["Registry.Pull"] });
        var token = await TokenHttp.GetTokenAsync(fixture.Client, (User, entra), "repository:entra/v1:pull");
        using var ping = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/", token.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task PullRoleGetsPullOnlyAndPushIsDenied()
    {
        var entra = fixture.EntraToken(s => s with { Roles = ["Registry.Pull"] });
        var token = await TokenHttp.GetTokenAsync(fixture.Client, (User, entra), "repository:entra/ro:pull,push");
        Assert.Equal("repository:entra/ro:pull", token.GetProperty("scope").GetString());
        using var push = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Post, "/v2/entra/ro/blobs/uploads/", token.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        Assert.Equal("DENIED", await TokenHttp.ErrorCodeAsync(push));
    }

    public static TheoryData<string> Refusals => ["expired", "wrong audience", "wrong tenant", "forged signature", "missing role", "none algorithm", "not a jwt"];

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task RefusesBadEntraToken(string problem)
    {
        var spec = new EntraTokenSpec(AuthRegistryServer.Tenant, AuthRegistryServer.ClientId);
        var password = problem switch
        {
            "expired" => fixture.Issuer.Issue(spec with { ExpiresIn = TimeSpan.FromMinutes(-10) }),
            "wrong audience" => fixture.Issuer.Issue(spec with { Audience = "api://someone-else" }),
            "wrong tenant" => fixture.Issuer.Issue(spec with { Tenant = AuthRegistryServer.OtherTenant }),
            "forged signature" => fixture.Issuer.IssueForged(spec),
            "missing role" => fixture.Issuer.Issue(spec with { Roles = [] }),
            "none algorithm" => fixture.Issuer.IssueUnsigned(spec),
            _ => "hunter2",
        };

        using var response = await TokenHttp.GetTokenResponseAsync(fixture.Client, (User, password), true, "repository:entra/x:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", await TokenHttp.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task ExchangeReturnsRefreshTokenThatWorksAsLoginPassword()
    {
        using var exchange = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/exchange",
            ("grant_type", "access_token"), ("service", fixture.Registry.HostPort), ("tenant", AuthRegistryServer.Tenant), ("access_token", fixture.EntraToken()));
        var refresh = (await TokenHttp.ReadOkAsync(exchange)).GetProperty("refresh_token").GetString()!;

        // ACR's convention: the null GUID with the registry's refresh token as the password (docker login).
        var token = await TokenHttp.GetTokenAsync(fixture.Client, (User, refresh), "repository:entra/exchanged:pull,push");
        Assert.Equal("repository:entra/exchanged:pull,push", token.GetProperty("scope").GetString());

        // And as an OAuth2 refresh grant (what docker does after login).
        using var post = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token",
            ("grant_type", "refresh_token"), ("refresh_token", refresh), ("service", fixture.Registry.HostPort), ("scope", "repository:entra/exchanged:pull"));
        Assert.Equal("repository:entra/exchanged:pull", (await TokenHttp.ReadOkAsync(post)).GetProperty("scope").GetString());
    }

    [Fact]
    public async Task ExchangeRefusesBadTokenAndOtherGrants()
    {
        using var forged = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/exchange",
            ("grant_type", "access_token"), ("access_token", fixture.Issuer.IssueForged(new EntraTokenSpec(AuthRegistryServer.Tenant, AuthRegistryServer.ClientId))));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        using var grant = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/exchange", ("grant_type", "refresh_token"), ("refresh_token", "x"));
        Assert.Equal(HttpStatusCode.BadRequest, grant.StatusCode);
    }
}
