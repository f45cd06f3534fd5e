using System.Net;
using System.Text.Json;

namespace ServerlessRegistry.Admin.Tests;

/// <summary>
/// The tokens resource over HTTP: create (the secret once, CONFLICT on a name in use, INVALID naming the field), list a
/// page at a time, get, revoke; an admin token made here can administer and stops at once when revoked; apply creates,
/// updates a grant in place (same secret and expiry, seen by sign-in at once) and then reports nothing to do.
/// </summary>
public sealed class TokenAdminTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Tokens_are_created_once_listed_a_page_at_a_time_read_and_revoked()
    {
        var name = NewName("crud");
        using var created = await AdminAsync(HttpMethod.Post, "/api/admin/v1/tokens", $$"""{"name":"{{name}}","repositories":["team/*"],"actions":["push"],"expires":"1d"}""");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await JsonAsync(created);
        Assert.StartsWith("srt_", body.GetProperty("secret").GetString(), StringComparison.Ordinal);
        var token = body.GetProperty("token");
        Assert.Equal(["pull", "push"], token.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("active", token.GetProperty("status").GetString());
        Assert.InRange(token.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromHours(23), TimeSpan.FromHours(25));

        using var duplicate = await AdminAsync(HttpMethod.Post, "/api/admin/v1/tokens", $$"""{"name":"{{name}}","repositories":["x"]}""");
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal("CONFLICT", await CodeAsync(duplicate));

        using var get = await AdminAsync(HttpMethod.Get, "/api/admin/v1/tokens/" + name);
        var read = await JsonAsync(get);
        Assert.Equal(token.GetProperty("id").GetString(), read.GetProperty("id").GetString());
        Assert.False(read.TryGetProperty("secret", out _));

        using var first = await AdminAsync(HttpMethod.Get, "/api/admin/v1/tokens?n=1");
        var page = await JsonAsync(first);
        Assert.Single(page.GetProperty("items").EnumerateArray());
        var next = page.GetProperty("next").GetString()!;
        using var second = await AdminAsync(HttpMethod.Get, "/api/admin/v1/tokens?n=1&last=" + Uri.EscapeDataString(next));
        Assert.True(string.CompareOrdinal((await JsonAsync(second)).GetProperty("items")[0].GetProperty("name").GetString(), next) > 0);

        using var revoked = await AdminAsync(HttpMethod.Delete, "/api/admin/v1/tokens/" + name);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        using var again = await AdminAsync(HttpMethod.Delete, "/api/admin/v1/tokens/" + name);
        Assert.Equal("NOT_FOUND", await CodeAsync(again));
        using var gone = await AdminAsync(HttpMethod.Get, "/api/admin/v1/tokens/" + name);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"UPPER","repositories":["x"]}""", "token name")]
    [InlineData("""{"name":"ok-pattern","repositories":["a//b"]}""", "'a//b'")]
    [InlineData("""{"name":"ok-none","repositories":[]}""", "repositories")]
    [InlineData("""{"name":"ok-action","repositories":["x"],"actions":["fly"]}""", "'fly'")]
    [InlineData("""{"name":"ok-expiry","repositories":["x"],"expires":"soon"}""", "expires")]
    [InlineData("""{"name":"ok-admin","repositories":["team/*"],"actions":["admin"]}""", "'*'")]
    [InlineData("""{"name":"ok-missing"}""", "TokenCreate")]
    public async Task Bad_input_is_INVALID_and_names_what_is_wrong(string json, string named)
    {
        using var response = await AdminAsync(HttpMethod.Post, "/api/admin/v1/tokens", json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonAsync(response)).GetProperty("errors")[0];
        Assert.Equal("INVALID", error.GetProperty("code").GetString());
        Assert.Contains(named, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_token_created_here_administers_until_it_is_revoked()
    {
        var name = NewName("admin");
        using var created = await AdminAsync(HttpMethod.Post, "/api/admin/v1/tokens", $$"""{"name":"{{name}}","repositories":["*"],"actions":["admin"]}""");
        var credentials = AdminFixture.Basic(name + ":" + (await JsonAsync(created)).GetProperty("secret").GetString());
        Assert.Equal(["pull", "push", "delete", "admin"], (await JsonAsync(created)).GetProperty("token").GetProperty("actions").EnumerateArray().Select(a => a.GetString()));

        using var allowed = await fixture.SendAsync(HttpMethod.Get, "/api/admin/v1/tokens/" + name, credentials);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        using var revoked = await fixture.SendAsync(HttpMethod.Delete, "/api/admin/v1/tokens/" + name, credentials);
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        using var refused = await fixture.SendAsync(HttpMethod.Get, "/api/admin/v1/tokens", credentials);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Apply_creates_then_changes_the_grant_in_place_then_reports_nothing_to_do()
    {
        var name = NewName("applied");
        var create = await ApplyAsync(name, """{"repositories":["app/*"]}""");
        Assert.Equal("create", create.GetProperty("changes")[0].GetProperty("action").GetString());
        var secret = create.GetProperty("secrets")[0].GetProperty("secret").GetString()!;
        using var before = await AdminAsync(HttpMethod.Get, "/api/admin/v1/tokens/" + name);
        var stored = await JsonAsync(before);

        var update = await ApplyAsync(name, """{"repositories":["lib","app/*"],"actions":["push"],"expires":"2d"}""");
        Assert.Equal("update", update.GetProperty("changes")[0].GetProperty("action").GetString());
        Assert.Empty(update.GetProperty("secrets").EnumerateArray());
        using var after = await AdminAsync(HttpMethod.Get, "/api/admin/v1/tokens/" + name);
        var changed = await JsonAsync(after);
        // A new id ends what the old grant minted; the secret and the expiry stay.
        Assert.NotEqual(stored.GetProperty("id").GetString(), changed.GetProperty("id").GetString());
        Assert.Equal(stored.GetProperty("expiresAt").GetDateTimeOffset(), changed.GetProperty("expiresAt").GetDateTimeOffset());

        // Sign-in reads the row: the same secret now gets push on lib.
        using var signIn = new HttpRequestMessage(HttpMethod.Get, "oauth2/token?service=serverless-registry&scope=repository:lib:pull,push");
        signIn.Headers.Authorization = AdminFixture.Basic(name + ":" + secret);
        using var issued = await fixture.Registry.Client.SendAsync(signIn);
        Assert.Equal("repository:lib:pull,push", (await JsonAsync(issued)).GetProperty("scope").GetString());

        var repeat = await ApplyAsync(name, """{"repositories":["app/*","lib"],"actions":["pull","push"]}""");
        Assert.Equal("unchanged", repeat.GetProperty("changes")[0].GetProperty("action").GetString());

        using var invalid = await AdminAsync(HttpMethod.Post, "/api/admin/v1/apply", "{\"tokens\":{\"" + name + "\":{\"repositories\":[\"*\"]},\"Bad Name\":{\"repositories\":[\"x\"]}}}");
        Assert.Equal("INVALID", await CodeAsync(invalid));
        using var unchanged = await AdminAsync(HttpMethod.Get, "/api/admin/v1/tokens/" + name);
        Assert.Equal(2, (await JsonAsync(unchanged)).GetProperty("repositories").GetArrayLength());
    }

    private async Task<JsonElement> ApplyAsync(string name, string spec)
    {
        using var response = await AdminAsync(HttpMethod.Post, "/api/admin/v1/apply", "{\"tokens\":{\"" + name + "\":" + spec + "}}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await JsonAsync(response);
    }

    private Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, string? json = null) =>
        fixture.SendAsync(method, path, AdminFixture.Basic(fixture.AdminToken), json);

    private static string NewName(string stem) => stem + "-" + Guid.NewGuid().ToString("N")[..8];

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await JsonAsync(response)).GetProperty("errors")[0].GetProperty("code").GetString();
}
