using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>Authorization on every endpoint: blob redirects, mounts, upload sessions, the catalog, revocation.</summary>
public sealed class AuthorizationTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    private async Task<string> BearerAsync(string name, string secret, params string[] scopes) =>
        (await TokenHttp.GetTokenAsync(fixture.Client, (name, secret), scopes)).GetProperty("token").GetString()!;

    private async Task<(string Name, string Secret)> TokenForAsync(string repositories, string actions = "pull,push")
    {
        var name = AuthFixture.NewName("authz");
        return (name, await fixture.CreateAccessTokenAsync(name, repositories, actions));
    }

    [Fact]
    public async Task TokenForOneRepositoryNeverGetsRedirectForBlobLinkedOnlyInAnother()
    {
        var (a, b) = (AuthFixture.NewName("cross/a"), AuthFixture.NewName("cross/b"));
        var owner = await TokenForAsync(b);
        var digest = await TokenHttp.PushBlobAsync(fixture.Client, await BearerAsync(owner.Name, owner.Secret, $"repository:{b}:pull,push"), b, OciHttp.RandomBytes(512));

        var other = await TokenForAsync(a);
        var bearer = await BearerAsync(other.Name, other.Secret, $"repository:{a}:pull", $"repository:{b}:pull");
        using var viaOwnRepository = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, $"/v2/{a}/blobs/{digest}", bearer);
        Assert.Equal(HttpStatusCode.NotFound, viaOwnRepository.StatusCode);
        Assert.Null(viaOwnRepository.Headers.Location);
        using var viaOtherRepository = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, $"/v2/{b}/blobs/{digest}", bearer);
        Assert.Equal(HttpStatusCode.Forbidden, viaOtherRepository.StatusCode);
        Assert.Null(viaOtherRepository.Headers.Location);
    }

    [Fact]
    public async Task MountNeedsPullOnFromAndNeverUsesTheRegistryWideIndex()
    {
        var (source, target) = (AuthFixture.NewName("mount/src"), AuthFixture.NewName("mount/dst"));
        var admin = await TokenForAsync("mount/*");
        var digest = await TokenHttp.PushBlobAsync(fixture.Client, await BearerAsync(admin.Name, admin.Secret, $"repository:{source}:pull,push"), source, OciHttp.RandomBytes(256));

        var pusher = await TokenForAsync(target);
        var bearer = await BearerAsync(pusher.Name, pusher.Secret, $"repository:{target}:pull,push", $"repository:{source}:pull");
        using var noPullOnFrom = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Post, $"/v2/{target}/blobs/uploads/?mount={digest}&from={source}", bearer);
        Assert.Equal(HttpStatusCode.Accepted, noPullOnFrom.StatusCode);
        using var noFrom = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Post, $"/v2/{target}/blobs/uploads/?mount={digest}", bearer);
        Assert.Equal(HttpStatusCode.Accepted, noFrom.StatusCode);
        using var head = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Head, $"/v2/{target}/blobs/{digest}", bearer);
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);

        var adminBearer = await BearerAsync(admin.Name, admin.Secret, $"repository:{target}:pull,push", $"repository:{source}:pull");
        using var mounted = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Post, $"/v2/{target}/blobs/uploads/?mount={digest}&from={source}", adminBearer);
        Assert.Equal(HttpStatusCode.Created, mounted.StatusCode);
    }

    [Fact]
    public async Task UploadSessionBelongsToItsCaller()
    {
        var repository = AuthFixture.NewName("uploads/shared");
        var alice = await TokenForAsync("uploads/*");
        var bob = await TokenForAsync("uploads/*");
        var aliceBearer = await BearerAsync(alice.Name, alice.Secret, $"repository:{repository}:pull,push");
        var bobBearer = await BearerAsync(bob.Name, bob.Secret, $"repository:{repository}:pull,push");
        using var start = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Post, $"/v2/{repository}/blobs/uploads/", aliceBearer);
        var location = start.Headers.Location!.ToString();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Patch, HttpMethod.Delete })
        {
            using var response = await TokenHttp.SendAsync(fixture.Client, method, location, bobBearer, method == HttpMethod.Patch ? new ByteArrayContent([1, 2, 3]) : null);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("BLOB_UPLOAD_UNKNOWN", await TokenHttp.ErrorCodeAsync(response));
        }

        var content = Encoding.UTF8.GetBytes("alice's blob");
        using var put = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Put, location + "?digest=" + OciHttp.Sha256(content), aliceBearer, new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task CatalogListsOnlyRepositoriesTheCallerMayPull()
    {
        var stem = AuthFixture.NewName("cat");
        var admin = await TokenForAsync("*");
        foreach (var repository in new[] { $"{stem}/mine", $"{stem}/theirs", $"public/{stem}" })
        {
            await TokenHttp.PushImageAsync(fixture.Client, await BearerAsync(admin.Name, admin.Secret, $"repository:{repository}:push"), repository);
        }

        var reader = await TokenForAsync($"{stem}/mine", "pull");
        using var challenged = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/_catalog?n=1000", await BearerAsync(reader.Name, reader.Secret, $"repository:{stem}/mine:pull"));
        Assert.Equal(HttpStatusCode.Unauthorized, challenged.StatusCode);
        Assert.Contains("scope=\"registry:catalog:*\"", challenged.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

        using var response = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/_catalog?n=1000", await BearerAsync(reader.Name, reader.Secret, "registry:catalog:*"));
        var names = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains($"{stem}/mine", names);
        Assert.Contains($"public/{stem}", names);
        Assert.DoesNotContain($"{stem}/theirs", names);
    }

    [Fact]
    public async Task RevokedTokenIsRefusedAtOnceForSignInAndIssuedBearerTokens()
    {
        var repository = AuthFixture.NewName("revoke/app");
        var token = await TokenForAsync(repository);
        var response = await TokenHttp.GetTokenResponseAsync(fixture.Client, (token.Name, token.Secret), true, $"repository:{repository}:pull");
        var issued = await TokenHttp.ReadOkAsync(response);
        response.Dispose();
        using (var before = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, $"/v2/{repository}/tags/list", issued.GetProperty("token").GetString()))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode); // authorized; the repository is empty
        }

        var (code, output) = await fixture.CliAsync("revoke", "--name", token.Name);
        Assert.True(code == 0, output);

        using var signIn = await TokenHttp.GetTokenResponseAsync(fixture.Client, (token.Name, token.Secret), false, $"repository:{repository}:pull");
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
        using var bearer = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, $"/v2/{repository}/tags/list", issued.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, bearer.StatusCode);
        using var refresh = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token", ("grant_type", "refresh_token"), ("refresh_token", issued.GetProperty("refresh_token").GetString()!));
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task CliListsTokensWithoutSecretsAndRefusesDuplicateNames()
    {
        var token = await TokenForAsync("listed/*", "pull");
        var (code, output) = await fixture.CliAsync("list");
        Assert.Equal(0, code);
        var line = output.Split('\n').Single(l => l.StartsWith(token.Name + "\t", StringComparison.Ordinal));
        Assert.Contains("\tpull\tlisted/*\t", line, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Secret, output, StringComparison.Ordinal);

        var (duplicate, message) = await fixture.CliAsync("create", "--name", token.Name, "--repository", "x", "--actions", "pull");
        Assert.Equal(1, duplicate);
        Assert.Contains("exists", message, StringComparison.Ordinal);
        Assert.Equal(1, (await fixture.CliAsync("revoke", "--name", "no-such-token")).Code);
    }

    [Fact]
    public async Task AnonymousPullWorksOnlyForPublicPrefixes()
    {
        var repository = "public/" + AuthFixture.NewName("anon");
        var admin = await TokenForAsync("*");
        var digest = await TokenHttp.PushBlobAsync(fixture.Client, await BearerAsync(admin.Name, admin.Secret, $"repository:{repository}:push"), repository, OciHttp.RandomBytes(64));

        using var noToken = await fixture.Client.GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, noToken.StatusCode);
        var anonymous = await TokenHttp.GetTokenAsync(fixture.Client, null, $"repository:{repository}:pull,push", "repository:private/app:pull");
        Assert.Equal($"repository:{repository}:pull repository:private/app:", anonymous.GetProperty("scope").GetString());
        using var push = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Post, $"/v2/{repository}/blobs/uploads/", anonymous.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        using var privatePull = await fixture.Client.GetAsync("/v2/private/app/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, privatePull.StatusCode);
    }
}
