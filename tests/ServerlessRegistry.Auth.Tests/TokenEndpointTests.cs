using System.Net;
using System.Text;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>The Docker token protocol: the challenge, GET with Basic, the POST OAuth2 form, refresh tokens.</summary>
public sealed class TokenEndpointTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    [Fact]
    public async Task ApiVersionCheckWithoutTokenIsChallengedWithAbsoluteRealm()
    {
        using var response = await fixture.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var host = fixture.Registry.HostPort;
        // Without a public URL the service is a constant: nothing signed follows the request's Host.
        Assert.Equal($"Bearer realm=\"http://{host}/oauth2/token\",service=\"{TokenEndpoints.DefaultService}\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task ManifestRequestWithoutTokenIsChallengedWithItsScope()
    {
        using var response = await fixture.Client.GetAsync("/v2/team/app/manifests/latest");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("scope=\"repository:team/app:pull\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var push = await fixture.Client.PostAsync("/v2/team/app/blobs/uploads/", null);
        Assert.Contains("scope=\"repository:team/app:pull,push\"", push.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetWithBasicAndRepeatedScopesGrantsTheIntersectionWithPolicy()
    {
        var name = AuthFixture.NewName("get");
        var secret = await fixture.CreateAccessTokenAsync(name, "team/*", "pull");
        var token = await TokenHttp.GetTokenAsync(fixture.Client, (name, secret), "repository:team/a:pull,push", "repository:other/b:pull");
        Assert.Equal("repository:team/a:pull repository:other/b:", token.GetProperty("scope").GetString());
        Assert.Equal(token.GetProperty("token").GetString(), token.GetProperty("access_token").GetString());
        Assert.Equal(3600, token.GetProperty("expires_in").GetInt64());
        Assert.True(DateTimeOffset.TryParse(token.GetProperty("issued_at").GetString(), out _));
        Assert.False(token.TryGetProperty("refresh_token", out _));

        var bearer = token.GetProperty("token").GetString();
        using var denied = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/other/b/tags/list", bearer);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        using var unasked = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/team/c/tags/list", bearer);
        Assert.Equal(HttpStatusCode.Unauthorized, unasked.StatusCode);
    }

    [Fact]
    public async Task GetWithoutScopeServesDockerLogin()
    {
        var name = AuthFixture.NewName("login");
        var secret = await fixture.CreateAccessTokenAsync(name, "team/*");
        using var response = await TokenHttp.GetTokenResponseAsync(fixture.Client, (name, secret), offline: true);
        var token = await TokenHttp.ReadOkAsync(response);
        Assert.False(string.IsNullOrEmpty(token.GetProperty("refresh_token").GetString()));
        using var ping = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/", token.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task WrongPasswordIsRefusedByGetAndPost()
    {
        var name = AuthFixture.NewName("wrong");
        await fixture.CreateAccessTokenAsync(name, "team/*");
        using var get = await TokenHttp.GetTokenResponseAsync(fixture.Client, (name, "srt_not-the-secret"), false, "repository:team/a:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        using var post = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token",
            ("grant_type", "password"), ("username", name), ("password", "srt_not-the-secret"), ("client_id", "containerd-client"));
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
    }

    [Fact]
    public async Task PostPasswordGrantThenRefreshGrant()
    {
        var name = AuthFixture.NewName("post");
        var secret = await fixture.CreateAccessTokenAsync(name, "team/*", "pull,push");
        using var password = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token",
            ("grant_type", "password"), ("username", name), ("password", secret), ("client_id", "containerd-client"),
            ("access_type", "offline"), ("service", fixture.Registry.HostPort), ("scope", "repository:team/a:pull repository:team/b:push"));
        var first = await TokenHttp.ReadOkAsync(password);
        Assert.Equal("repository:team/a:pull repository:team/b:pull,push", first.GetProperty("scope").GetString());
        var refresh = first.GetProperty("refresh_token").GetString()!;

        using var refreshed = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token",
            ("grant_type", "refresh_token"), ("refresh_token", refresh), ("client_id", "containers/image"), ("scope", "repository:team/c:pull,push"));
        var second = await TokenHttp.ReadOkAsync(refreshed);
        await TokenHttp.PushBlobAsync(fixture.Client, second.GetProperty("access_token").GetString()!, "team/c", Encoding.UTF8.GetBytes("refreshed"));
    }

    [Fact]
    public async Task RefreshAndBearerTokensCannotStandInForEachOther()
    {
        var name = AuthFixture.NewName("uses");
        var secret = await fixture.CreateAccessTokenAsync(name, "team/*");
        using var response = await TokenHttp.GetTokenResponseAsync(fixture.Client, (name, secret), true, "repository:team/a:pull");
        var token = await TokenHttp.ReadOkAsync(response);

        using var refreshAsBearer = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/team/a/tags/list", token.GetProperty("refresh_token").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, refreshAsBearer.StatusCode);
        using var bearerAsRefresh = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token",
            ("grant_type", "refresh_token"), ("refresh_token", token.GetProperty("token").GetString()!));
        Assert.Equal(HttpStatusCode.Unauthorized, bearerAsRefresh.StatusCode);
    }

    [Fact]
    public async Task UnknownGrantTypeIsBadRequest()
    {
        using var response = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token", ("grant_type", "client_credentials"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task TamperedBearerTokenIsChallenged()
    {
        var token = (await TokenHttp.GetTokenAsync(fixture.Client, null, "repository:public/x:pull")).GetProperty("token").GetString()!;
        var parts = token.Split('.');
        var tampered = parts[0] + "." + parts[1] + "." + parts[2][..^4] + (parts[2].EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        using var response = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/", tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
