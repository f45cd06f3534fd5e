using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>Stored cache rules through the admin API over HTTP: writing, reading, refusals, and serving pulls at once.</summary>
public sealed partial class CacheRuleAdminTests(CacheRuleAdminFixture fixture) : IClassFixture<CacheRuleAdminFixture>
{
    private HttpClient Client => fixture.Server.Client;

    [Fact]
    public async Task PutCreatesThenReplacesAndGetAndListShowTheRuleBesideTheSettingsOne()
    {
        using var created = await fixture.PutRuleAsync("crud", "crud");
        using var replaced = await fixture.PutAsync("crud", new { local = "crud/*", upstream = fixture.UpstreamAddress + "/team/*", timeout = "30s" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        var rule = await fixture.JsonAsync(await Client.GetAsync("/api/admin/v1/cache-rules/crud"));
        Assert.Equal("stored", rule.GetProperty("source").GetString());
        Assert.Equal("crud/*", rule.GetProperty("local").GetString());
        Assert.Equal(fixture.UpstreamAddress + "/team/*", rule.GetProperty("upstream").GetString());
        Assert.Equal("30s", rule.GetProperty("timeout").GetString());
        Assert.Equal("5m", rule.GetProperty("tagCheckInterval").GetString());

        var list = await fixture.JsonAsync(await Client.GetAsync("/api/admin/v1/cache-rules"));
        var items = list.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
        Assert.Equal("settings", items["settings-0"].GetProperty("source").GetString());
        Assert.Equal("set/*", items["settings-0"].GetProperty("local").GetString());
        Assert.True(items.ContainsKey("crud"));

        using var deleted = await Client.DeleteAsync("/api/admin/v1/cache-rules/crud");
        using var again = await Client.DeleteAsync("/api/admin/v1/cache-rules/crud");
        using var gone = await Client.GetAsync("/api/admin/v1/cache-rules/crud");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("{\"local\":\"Bad Local/*\",\"upstream\":\"example.com/*\"}", "local")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"ftp://example.com/*\"}", "upstream")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"example.com/library/nginx\"}", "both end in /*")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"example.com/*\",\"username\":\"u\"}", "passwordSetting")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"example.com/*\",\"timeout\":\"soon\"}", "timeout")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"example.com/*\",\"password\":\"hunter2\"}", "password")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"example.com/*\",\"username\":\"u\",\"passwordSetting\":\"Storage:AccountKey\"}", "passwordSetting 'Storage:AccountKey' must be Mirror:Secrets:<name>")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"example.com/*\",\"username\":\"u\",\"passwordSetting\":\"Mirror:Secrets:a:b\"}", "Mirror__Secrets__<name>")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"http://example.com/*\"}", "must be https (http only to a loopback host)")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"example.com/*\",\"timeout\":\"11m\"}", "timeout must be at most 10m")]
    [InlineData("{\"local\":\"bad/*\",\"upstream\":\"example.com/*\",\"tagCheckInterval\":\"2d\"}", "tagCheckInterval at most 1d")]
    public async Task ABadRuleIsInvalidNamingTheField(string body, string named)
    {
        using var response = await Client.PutAsync("/api/admin/v1/cache-rules/bad", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("INVALID", text);
        Assert.Contains(named, JsonDocument.Parse(text).RootElement.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.DoesNotContain("hunter2", text);
    }

    [Fact]
    public async Task SettingsRulesAreReadOnlyAndTheirLocalNamesTaken()
    {
        using var settingsName = await fixture.PutRuleAsync("settings-0", "other");
        using var settingsLocal = await fixture.PutRuleAsync("takes-set", "set");
        using var deleteSettings = await Client.DeleteAsync("/api/admin/v1/cache-rules/settings-0");
        using var reserved = await fixture.PutRuleAsync("settings-x", "other");
        using var badName = await fixture.PutRuleAsync("Bad_Name", "other");
        using var first = await fixture.PutRuleAsync("twin-a", "twin");
        using var twin = await fixture.PutRuleAsync("twin-b", "twin");

        Assert.Equal(HttpStatusCode.Conflict, settingsName.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, settingsLocal.StatusCode);
        Assert.Contains("settings-0", await settingsLocal.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, deleteSettings.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, reserved.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, twin.StatusCode);
        using var get = await Client.GetAsync("/api/admin/v1/cache-rules/settings-0");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task AStoredRuleServesPullsThroughAtOnceAndStopsWhenRemoved()
    {
        var path = $"/v2/pulled/{DistributionFixture.Repository}/manifests/";
        using (var before = await Client.GetAsync(path + "v1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, before.StatusCode);
        }

        using (var put = await fixture.PutRuleAsync("pulled", "pulled"))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        Assert.Equal(fixture.Upstream.Manifest, await Client.GetByteArrayAsync(path + "v1"));

        using (var removed = await Client.DeleteAsync("/api/admin/v1/cache-rules/pulled"))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        using var after = await Client.GetAsync(path + "v2"); // not cached, and no rule reads it through any more
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
    }

    [Fact]
    public async Task ARuleStoredByAnotherInstanceIsServedOnceTheRefreshIntervalHasPassed()
    {
        // Written straight to storage, as another instance would: this one learns of it only by re-reading (interval 0 here).
        var rule = new StoredCacheRule("elsewhere", "elsewhere/*", fixture.UpstreamAddress + "/*", null, null, null, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10));
        await fixture.Server.Services.GetRequiredService<CacheRuleStore>().PutAsync(rule, default);

        Assert.Equal(fixture.Upstream.Manifest, await Client.GetByteArrayAsync($"/v2/elsewhere/{DistributionFixture.Repository}/manifests/latest"));
    }

    [Fact]
    public async Task PasswordSettingIsReadFromConfigurationAndNeverShown()
    {
        using var put = await fixture.PutAsync("secret", new { local = "secret/*", upstream = fixture.UpstreamAddress + "/*", username = "mirror", passwordSetting = CacheRuleAdminFixture.SecretKey });
        using var missing = await fixture.PutAsync("nosecret", new { local = "nosecret/*", upstream = fixture.UpstreamAddress + "/*", username = "mirror", passwordSetting = "Mirror:Secrets:Absent" });
        var view = await fixture.JsonAsync(put);
        Assert.True(view.GetProperty("hasPassword").GetBoolean());
        Assert.Equal(CacheRuleAdminFixture.SecretKey, view.GetProperty("passwordSetting").GetString());

        var rules = await fixture.Server.Services.GetRequiredService<CacheRuleSet>().CurrentAsync(default);
        Assert.Equal(CacheRuleAdminFixture.Secret, rules.Match("secret/team/app")?.Rule.Password);

        var listed = await Client.GetStringAsync("/api/admin/v1/cache-rules?check=true");
        Assert.DoesNotContain(CacheRuleAdminFixture.Secret, listed);
        var items = JsonDocument.Parse(listed).RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
        Assert.True(items["secret"].GetProperty("check").GetProperty("ok").GetBoolean());
        Assert.False(items["nosecret"].GetProperty("hasPassword").GetBoolean());
        Assert.Contains("Mirror:Secrets:Absent", items["nosecret"].GetProperty("check").GetProperty("detail").GetString());
        await Client.DeleteAsync("/api/admin/v1/cache-rules/secret");
        await Client.DeleteAsync("/api/admin/v1/cache-rules/nosecret");
    }

    [Fact]
    public async Task StoredRowsFromBeforeTheRulesNeitherReadOtherSettingsNorBreakTheCheck()
    {
        // Written straight to storage, as a row stored before the rules: a key outside Mirror:Secrets:, a timeout no token source takes.
        var store = fixture.Server.Services.GetRequiredService<CacheRuleStore>();
        await store.PutAsync(new StoredCacheRule("leaky", "leaky/*", fixture.UpstreamAddress + "/*", null, "mirror", "Storage:AccountKey", TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(10)), default);
        await store.PutAsync(new StoredCacheRule("slow", "slow/*", fixture.UpstreamAddress + "/*", null, null, null, TimeSpan.FromMinutes(5), TimeSpan.FromDays(36500)), default);
        try
        {
            var rules = await fixture.Server.Services.GetRequiredService<CacheRuleSet>().CurrentAsync(default);
            Assert.Null(rules.Match("leaky/team/app")?.Rule.Password);

            using var listed = await Client.GetAsync("/api/admin/v1/cache-rules?check=true");
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            var items = (await fixture.JsonAsync(listed)).GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!);
            Assert.False(items["leaky"].GetProperty("hasPassword").GetBoolean());
            Assert.Contains("'Storage:AccountKey' is not read: it is not under Mirror:Secrets:", items["leaky"].GetProperty("check").GetProperty("detail").GetString());
            Assert.Contains("does not parse", items["slow"].GetProperty("check").GetProperty("detail").GetString());
        }
        finally
        {
            await store.DeleteAsync("leaky", default);
            await store.DeleteAsync("slow", default);
        }
    }
}
