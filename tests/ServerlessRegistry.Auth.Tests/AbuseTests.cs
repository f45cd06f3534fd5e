using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>What an attacker tries against auth: catalog enumeration, token-name reuse, bad patterns, hostile forms and hosts.</summary>
public sealed class AbuseTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    private async Task<string> BearerAsync(string name, string secret, params string[] scopes) =>
        (await TokenHttp.GetTokenAsync(fixture.Client, (name, secret), scopes)).GetProperty("token").GetString()!;

    [Fact]
    public async Task CatalogPagesNeverNameOrSkipPastRepositoriesTheCallerCannotSee()
    {
        var stem = AuthFixture.NewName("hidden");
        var admin = AuthFixture.NewName("admin");
        var adminSecret = await fixture.CreateAccessTokenAsync(admin, "*");
        foreach (var repository in new[] { $"{stem}/a", $"{stem}/b", $"{stem}/c", $"{stem}/d" })
        {
            await TokenHttp.PushImageAsync(fixture.Client, await BearerAsync(admin, adminSecret, $"repository:{repository}:push"), repository);
        }

        var reader = AuthFixture.NewName("reader");
        var readerSecret = await fixture.CreateAccessTokenAsync(reader, $"{stem}/d", "pull");
        var bearer = await BearerAsync(reader, readerSecret, "registry:catalog:*");
        var seen = new List<string>();
        var url = "/v2/_catalog?n=1";
        for (var pages = 0; url is not null; pages++)
        {
            Assert.True(pages < 1000, "the catalog never ended");
            using var response = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, url, bearer);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var names = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("repositories")
                .EnumerateArray().Select(e => e.GetString()!).ToList();
            seen.AddRange(names);
            url = response.Headers.TryGetValues("Link", out var links) ? links.Single().Split('>')[0].TrimStart('<') : null;
            if (url is not null)
            {
                // A page that promises more is full, and its cursor is a name the caller was shown.
                Assert.Single(names);
                Assert.EndsWith("last=" + Uri.EscapeDataString(names[0]), url, StringComparison.Ordinal);
            }
        }

        Assert.Contains($"{stem}/d", seen);
        Assert.DoesNotContain(seen, n => n.StartsWith(stem, StringComparison.Ordinal) && n != $"{stem}/d");
    }

    [Fact]
    public async Task TokenRecreatedUnderARevokedNameDoesNotInheritItsUploads()
    {
        var repository = AuthFixture.NewName("reuse/app");
        var name = AuthFixture.NewName("reused");
        var first = await fixture.CreateAccessTokenAsync(name, repository);
        using var start = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Post, $"/v2/{repository}/blobs/uploads/", await BearerAsync(name, first, $"repository:{repository}:pull,push"));
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();

        Assert.Equal(0, (await fixture.CliAsync("revoke", "--name", name)).Code);
        var second = await fixture.CreateAccessTokenAsync(name, repository);
        using var status = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, location, await BearerAsync(name, second, $"repository:{repository}:pull,push"));
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal("BLOB_UPLOAD_UNKNOWN", await TokenHttp.ErrorCodeAsync(status));
    }

    [Theory]
    [InlineData("a/only *")]
    [InlineData("team/*/x")]
    [InlineData("UPPER")]
    [InlineData("a//b")]
    [InlineData("**")]
    public async Task TokenCreateRefusesPatternsOutsideTheRepositoryGrammar(string pattern)
    {
        var name = AuthFixture.NewName("pattern");
        var (code, output) = await fixture.CliAsync("create", "--name", name, "--repository", pattern, "--actions", "pull");
        Assert.NotEqual(0, code);
        Assert.Contains(pattern, output, StringComparison.Ordinal);
        Assert.DoesNotContain(name, (await fixture.CliAsync("list")).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenPatternsReadBackExactlyAsCreated()
    {
        var name = AuthFixture.NewName("patterns");
        await fixture.CreateAccessTokenAsync(name, "a/only,team/*", "pull");
        var line = (await fixture.CliAsync("list")).Output.Split('\n').Single(l => l.StartsWith(name + "\t", StringComparison.Ordinal));
        Assert.Contains("\ta/only,team/*\t", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRequestWithTooManyScopesIsInvalidScope()
    {
        var name = AuthFixture.NewName("scopes");
        var secret = await fixture.CreateAccessTokenAsync(name, "many/*", "pull");
        var scopes = string.Join(' ', Enumerable.Range(0, 200).Select(i => $"repository:many/r{i}:pull"));
        using var response = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token", ("grant_type", "password"), ("username", name), ("password", secret), ("scope", scopes));
        await AssertOAuthErrorAsync(response, "invalid_scope");
    }

    [Fact]
    public async Task TokenRequestWithAnOverlongScopeIsInvalidScope()
    {
        using var response = await TokenHttp.GetTokenResponseAsync(fixture.Client, null, false, "repository:public/" + new string('a', 2000) + ":pull");
        await AssertOAuthErrorAsync(response, "invalid_scope");
    }

    [Fact]
    public async Task FormWithTooManyKeysIsInvalidRequest()
    {
        var fields = Enumerable.Range(0, 1100).Select(i => ("k" + i, "v")).Prepend(("grant_type", "password")).ToArray();
        using var response = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/token", fields);
        await AssertOAuthErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task FormWithAHugeValueIsInvalidRequest()
    {
        using var response = await TokenHttp.PostFormAsync(fixture.Client, "/oauth2/exchange", ("grant_type", "access_token"), ("access_token", new string('x', 5 * 1024 * 1024)));
        await AssertOAuthErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task MalformedMultipartFormIsInvalidRequest()
    {
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--b\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\npassword\r\n--b"));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        using var response = await fixture.Client.PostAsync("/oauth2/token", content);
        await AssertOAuthErrorAsync(response, "invalid_request");
    }

    [Fact]
    public async Task TokenAudienceDoesNotFollowTheHostHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/oauth2/token?scope=" + Uri.EscapeDataString("repository:private/x:pull"));
        request.Headers.Host = "attacker.example";
        using var response = await fixture.Client.SendAsync(request);
        var token = (await TokenHttp.ReadOkAsync(response)).GetProperty("token").GetString();
        Assert.DoesNotContain("attacker.example", Encoding.UTF8.GetString(Convert.FromBase64String(Pad(token!.Split('.')[1]))), StringComparison.Ordinal);
        // Accepted as a token (a refused scope is DENIED); a token bound to the Host it was asked on would be challenged.
        using var pull = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/private/x/tags/list", token);
        Assert.Equal(HttpStatusCode.Forbidden, pull.StatusCode);
    }

    [Fact]
    public async Task AnonymousTokensAreNotCached()
    {
        var authorizer = (TokenAuthorizer)fixture.Registry.Server.Services.GetService(typeof(IRegistryAuthorizer))!;
        var before = authorizer.Cache.Count;
        for (var i = 0; i < 20; i++)
        {
            var scopes = Enumerable.Range(0, 20).Select(j => $"repository:public/{i}/{new string('a', 200)}{j}:pull").Append("repository:private/x:pull").ToArray();
            var token = (await TokenHttp.GetTokenAsync(fixture.Client, null, scopes)).GetProperty("token").GetString();
            // DENIED, not a challenge: the token was validated (and refuses private/x).
            using var response = await TokenHttp.SendAsync(fixture.Client, HttpMethod.Get, "/v2/private/x/tags/list", token);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        }

        Assert.Equal(before, authorizer.Cache.Count);
    }

    [Fact]
    public void TokenCacheStaysWithinItsCountAndByteBounds()
    {
        var cache = new ValidatedTokenCache(maxEntries: 50, maxBytes: 64 * 1024);
        var now = DateTimeOffset.UtcNow;
        string last = "";
        for (var i = 0; i < 1000; i++)
        {
            last = $"token-{i}-" + new string('t', i);
            var access = new Dictionary<string, RegistryActions> { [$"team/app{i}" + new string('x', i % 200)] = RegistryActions.Pull };
            cache.Add(last, new Caller { Subject = "token:t", Access = access, Expires = now.AddHours(1) }, now);
            Assert.InRange(cache.Count, 1, 50);
            Assert.InRange(cache.Bytes, 1, 64 * 1024);
        }

        Assert.NotNull(cache.Get(last, now));
        Assert.Null(cache.Get(last, now.AddHours(2)));
        cache.Add("anonymous", new Caller { Subject = Principal.Anonymous.Subject, Access = [], Expires = now.AddHours(1) }, now);
        Assert.Null(cache.Get("anonymous", now));
    }

    private static string Pad(string base64Url)
    {
        var text = base64Url.Replace('-', '+').Replace('_', '/');
        return text + new string('=', (4 - text.Length % 4) % 4);
    }

    private static async Task AssertOAuthErrorAsync(HttpResponseMessage response, string error)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal(error, json.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("error_description").GetString()));
    }
}
