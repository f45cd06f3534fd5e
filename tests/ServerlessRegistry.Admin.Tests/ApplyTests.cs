using System.Net;
using System.Text.Json;

namespace ServerlessRegistry.Admin.Tests;

/// <summary>
/// apply with a document of every kind, on the command line: a dry run changes nothing, the first run creates, a second
/// run (with --registry, or against storage) reports every entry unchanged; and what the admin API refuses around it.
/// </summary>
public sealed class ApplyTests(AdminFixture fixture) : IClassFixture<AdminFixture>, IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), "apply-" + Guid.NewGuid().ToString("N") + ".json");

    [Fact]
    public async Task Applying_the_same_document_twice_changes_nothing_the_second_time()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        await File.WriteAllTextAsync(_file, $$"""
            // Comments and trailing commas are allowed.
            {
              "tokens": { "ci-{{id}}": { "repositories": ["apply/*"], "actions": ["pull", "push"], "expires": "30d" } },
              "policies": {
                "keep-{{id}}": { "kind": "retention", "repositories": "apply/*", "keepLastPushed": 5 },
                "frozen-{{id}}": { "kind": "immutable", "repositories": "apply/*", "tags": ["v*"] },
                "cap-{{id}}": { "kind": "quota", "repositories": "apply/*", "limitBytes": 1000000000 },
              },
              "locks": { "apply/base:1.0": { "noDelete": true } },
              "cacheRules": { "hub-{{id}}": { "local": "hub-{{id}}/*", "upstream": "docker.io/*" } },
              "eventEndpoints": { "hook-{{id}}": { "url": "http://127.0.0.1:9/hook", "actions": ["push"] } },
            }
            """);

        var dry = await fixture.CliAsync(remote: true, ["apply", "--file", _file, "--dry-run"]);
        Assert.True(dry.Code == 0, dry.Output + dry.Error);
        Assert.Contains($"would create token ci-{id}", dry.Output, StringComparison.Ordinal);
        Assert.Contains("7 created, 0 updated, 0 unchanged; nothing was changed.", dry.Output, StringComparison.Ordinal);
        using (var absent = await fixture.SendAsync(HttpMethod.Get, $"/api/admin/v1/tokens/ci-{id}", AdminFixture.Basic(fixture.AdminToken)))
        {
            Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
        }

        var first = await fixture.CliAsync(remote: true, ["apply", "--file", _file]);
        Assert.True(first.Code == 0, first.Output + first.Error);
        Assert.Contains("7 created, 0 updated, 0 unchanged.", first.Output, StringComparison.Ordinal);
        Assert.Matches($"token ci-{id} secret \\(shown only now\\): srt_", first.Output);

        var again = await fixture.CliAsync(remote: true, ["apply", "--file", _file]);
        var local = await fixture.CliAsync(remote: false, ["apply", "--file", _file]);
        Assert.True(again.Code == 0 && local.Code == 0, again.Error + local.Error);
        Assert.EndsWith("0 created, 0 updated, 7 unchanged.\n", again.Output, StringComparison.Ordinal);
        Assert.Equal(again.Output.Replace("the registry at " + fixture.Registry.Server.BaseAddress.GetLeftPart(UriPartial.Authority), "storage", StringComparison.Ordinal), local.Output);

        var json = await fixture.CliAsync(remote: true, ["apply", "--file", _file, "--output", "json"]);
        var changes = JsonDocument.Parse(json.Output).RootElement.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(7, changes.Count);
        Assert.All(changes, c => Assert.Equal("unchanged", c.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task A_file_that_is_not_JSON_is_named_and_nothing_is_sent()
    {
        await File.WriteAllTextAsync(_file, "tokens:\n  ci: {}\n");
        var result = await fixture.CliAsync(remote: true, ["apply", "--file", _file]);
        Assert.Equal(2, result.Code);
        Assert.StartsWith($"apply: cannot read {_file}: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_body_not_sent_as_JSON_is_refused_so_a_web_page_cannot_post_one()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/admin/v1/apply")
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"),
        };
        request.Headers.Authorization = AdminFixture.Basic(fixture.AdminToken);
        using var response = await fixture.Registry.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Narrowing_a_token_ends_the_admin_tokens_minted_from_its_old_grant()
    {
        var name = "narrow-" + Guid.NewGuid().ToString("N")[..8];
        using var created = await fixture.SendAsync(HttpMethod.Post, "/api/admin/v1/tokens", AdminFixture.Basic(fixture.AdminToken),
            $$"""{"name":"{{name}}","repositories":["*"],"actions":["admin"]}""");
        var secret = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;
        var minted = await AdminAccessTests.RegistryTokenAsync(fixture, name + ":" + secret);
        using (var allowed = await fixture.SendAsync(HttpMethod.Get, "/api/admin/v1/tokens", AdminFixture.Bearer(minted)))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var narrowed = await fixture.SendAsync(HttpMethod.Post, "/api/admin/v1/apply", AdminFixture.Basic(fixture.AdminToken),
            "{\"tokens\":{\"" + name + "\":{\"repositories\":[\"*\"],\"actions\":[\"pull\"]}}}");
        Assert.Equal(HttpStatusCode.OK, narrowed.StatusCode);
        using var refused = await fixture.SendAsync(HttpMethod.Get, "/api/admin/v1/tokens", AdminFixture.Bearer(minted));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var denied = await fixture.SendAsync(HttpMethod.Get, "/api/admin/v1/tokens", AdminFixture.Basic(name + ":" + secret));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    public void Dispose() => File.Delete(_file);
}
