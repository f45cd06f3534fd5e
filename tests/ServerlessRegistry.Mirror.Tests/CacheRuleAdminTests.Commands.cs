using System.Net;
using System.Text;
using System.Text.Json;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>Apply's cacheRules section, and the mirror commands against storage and through the admin API.</summary>
public sealed partial class CacheRuleAdminTests
{
    [Fact]
    public async Task ApplyingTheSameDocumentTwiceChangesNothingTheSecondTime()
    {
        var document = $$"""{"cacheRules":{"applied":{"local":"applied/*","upstream":"{{fixture.UpstreamAddress}}/*","tagCheckInterval":"1h"} } }""";

        var first = await ApplyAsync(document);
        var second = await ApplyAsync(document);
        var changed = await ApplyAsync(document.Replace("1h", "2h", StringComparison.Ordinal));

        Assert.Equal("create", first.Action);
        Assert.Equal(("unchanged", null), second);
        Assert.Equal(("update", "tagCheckInterval"), changed);
        await Client.DeleteAsync("/api/admin/v1/cache-rules/applied");
    }

    [Fact]
    public async Task ApplyRefusesTheWholeDocumentWhenOneEntryIsBad()
    {
        var document = $$"""{"cacheRules":{"good":{"local":"good/*","upstream":"{{fixture.UpstreamAddress}}/*" },"clash":{"local":"set/*","upstream":"{{fixture.UpstreamAddress}}/*"} } }""";

        using var response = await Client.PostAsync("/api/admin/v1/apply", new StringContent(document, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("cacheRules.clash", await response.Content.ReadAsStringAsync());
        using var good = await Client.GetAsync("/api/admin/v1/cache-rules/good");
        Assert.Equal(HttpStatusCode.NotFound, good.StatusCode);
    }

    [Fact]
    public async Task MirrorRulesPrintsTheSameAgainstStorageAndThroughTheAdminApi()
    {
        var (setCode, setOutput, setError) = await fixture.CliAsync(remote: true, "mirror", "rule", "set", "cli", "--local", "cli/*", "--upstream", fixture.UpstreamAddress + "/*", "--timeout", "20s");
        Assert.True(setCode == 0, setOutput + setError);
        Assert.StartsWith("Created cache rule cli: cli/* -> ", setOutput);

        var local = await fixture.CliAsync(remote: false, "mirror", "rules");
        var remote = await fixture.CliAsync(remote: true, "mirror", "rules");
        var json = await fixture.CliAsync(remote: true, "mirror", "rules", "--output", "json");

        Assert.True(local.Code == 0, local.Output + local.Error);
        Assert.Equal(local.Output, remote.Output);
        Assert.Contains($"cli/* -> {fixture.UpstreamAddress}/* (stored as cli): ok: reachable, anonymous access", remote.Output);
        Assert.Contains($"set/* -> {fixture.UpstreamAddress}/*: ok: reachable, anonymous access", remote.Output);
        var cli = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "cli");
        Assert.Equal("20s", cli.GetProperty("timeout").GetString());

        var removed = await fixture.CliAsync(remote: false, "mirror", "rule", "remove", "cli");
        var again = await fixture.CliAsync(remote: true, "mirror", "rule", "remove", "cli");
        Assert.Equal((0, "Removed cache rule cli.\n"), (removed.Code, removed.Output.ReplaceLineEndings("\n")));
        Assert.Equal(1, again.Code);
        Assert.Contains("no stored cache rule 'cli'", again.Error);
    }

    private async Task<(string Action, string? Detail)> ApplyAsync(string document)
    {
        using var response = await Client.PostAsync("/api/admin/v1/apply", new StringContent(document, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var change = (await fixture.JsonAsync(response)).GetProperty("changes").EnumerateArray().Single();
        Assert.Equal("cacheRule", change.GetProperty("kind").GetString());
        return (change.GetProperty("action").GetString()!, change.TryGetProperty("detail", out var detail) ? detail.GetString() : null);
    }
}
