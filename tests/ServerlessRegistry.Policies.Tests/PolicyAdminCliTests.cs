using System.Net;
using System.Text.Json;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>The policy commands with --registry against the same commands on storage, and apply of policies and locks.</summary>
public sealed partial class PolicyAdminTests
{
    [Fact]
    public async Task PolicyCommandsPrintTheSameLocallyAndThroughTheRegistry()
    {
        var immutable = await CliAsync(remote: true, "policy", "immutable", "set", "cli-rel", "--repositories", "cli/*", "--tags", "v*");
        var quota = await CliAsync(remote: true, "policy", "quota", "set", "cli-quota", "--repositories", "cli/*", "--limit", "1MiB");
        var locked = await CliAsync(remote: false, "policy", "lock", "cli/app:v1", "--no-write");
        Assert.Equal("Immutable rule 'cli-rel' set on cli/*: tags v* cannot be moved or deleted.\n", immutable.Output);
        Assert.Equal("Quota 'cli-quota' set on cli/*: at most 1.0 MiB (1,048,576 bytes), each digest counted once; in use: 0 B (0 bytes), 0% of the limit.\n", quota.Output);
        Assert.StartsWith("Locked cli/app:v1 against writes;", locked.Output, StringComparison.Ordinal);

        foreach (var args in new[] { new[] { "policy", "list" }, ["policy", "explain", "cli/app:v1"], ["policy", "show", "cli-quota"] })
        {
            var local = await CliAsync(remote: false, args);
            var remote = await CliAsync(remote: true, args);
            Assert.True(local.Code == 0, local.Error);
            Assert.Equal(local, remote);
        }

        var missingLocal = await CliAsync(remote: false, "policy", "show", "nope");
        var missingRemote = await CliAsync(remote: true, "policy", "show", "nope");
        Assert.Equal((1, "policy show: there is no rule named 'nope'; 'policy list' shows them.\n"), (missingRemote.Code, missingRemote.Error));
        Assert.Equal(missingLocal, missingRemote);

        var json = await CliAsync(remote: true, "policy", "show", "cli-rel", "--output", "json");
        Assert.Equal("immutable", JsonDocument.Parse(json.Output).RootElement.GetProperty("spec").GetProperty("kind").GetString());
        Assert.StartsWith("Removed immutable rule 'cli-rel';", (await CliAsync(remote: true, "policy", "remove", "cli-rel")).Output, StringComparison.Ordinal);
        Assert.StartsWith("Unlocked cli/app:v1;", (await CliAsync(remote: true, "policy", "unlock", "cli/app:v1")).Output, StringComparison.Ordinal);
        await CliAsync(remote: false, "policy", "remove", "cli-quota");
    }

    [Fact]
    public async Task ApplyingTheSamePoliciesAndLocksTwiceChangesNothingTheSecondTime()
    {
        const string document = """
            {
              "policies": {
                "ap-keep": { "kind": "retention", "repositories": "ap/**", "keepLastPushed": 3, "keepPushedWithin": "720h", "keepMatching": ["stable", "v*"] },
                "ap-rel": { "kind": "immutable", "repositories": "ap/*", "tags": ["v*"] },
                "ap-quota": { "kind": "quota", "repositories": "ap/*", "limitBytes": 1048576 }
              },
              "locks": { "ap/app:v1": { "noWrite": true }, "ap/base": { "noDelete": true } }
            }
            """;

        var first = await ApplyAsync(document);
        var second = await ApplyAsync(document);
        await SetCounterAsync("ap-quota", 5_000);
        var raised = await ApplyAsync(document.Replace("1048576", "2097152", StringComparison.Ordinal).Replace("\"noDelete\": true", "\"noDelete\": true, \"noWrite\": true", StringComparison.Ordinal));

        Assert.Equal(["create policy ap-keep", "create policy ap-rel", "create policy ap-quota", "create lock ap/app:v1", "create lock ap/base"], first);
        Assert.Equal(["unchanged policy ap-keep", "unchanged policy ap-rel", "unchanged policy ap-quota", "unchanged lock ap/app:v1", "unchanged lock ap/base"], second);
        Assert.Equal(["unchanged policy ap-keep", "unchanged policy ap-rel", "update policy ap-quota: changes limitBytes", "unchanged lock ap/app:v1", "update lock ap/base: blocks deletes → writes, deletes"], raised);
        Assert.Equal(5_000, await CounterAsync("ap-quota"));

        using var bad = await PostApplyAsync("""{"policies":{"ap-new":{"kind":"immutable","repositories":"ap/*","tags":["x*"]},"ap-bad":{"kind":"retention","repositories":"ap/*","keepLastPushed":0}}}""");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("policies.ap-bad: keepLastPushed must be at least 1", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "policies/ap-new")).Status);
    }

    /// <summary>Applies the document for real; each change as "action kind name[: detail]".</summary>
    private async Task<List<string>> ApplyAsync(string document)
    {
        using var response = await PostApplyAsync(document);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return [.. JsonDocument.Parse(text).RootElement.GetProperty("changes").EnumerateArray().Select(c =>
            $"{c.GetProperty("action").GetString()} {c.GetProperty("kind").GetString()} {c.GetProperty("name").GetString()}" +
            (c.GetProperty("action").GetString() == "update" ? ": " + c.GetProperty("detail").GetString() : ""))];
    }

    private Task<HttpResponseMessage> PostApplyAsync(string document) =>
        registry.Server.Client.PostAsync("api/admin/v1/apply?dryRun=false", new StringContent(document, System.Text.Encoding.UTF8, "application/json"));

    /// <summary>The command line in-process: against the registry's storage, or with --registry through its admin API.</summary>
    private async Task<CliRun> CliAsync(bool remote, params string[] args)
    {
        using var output = new StringWriter { NewLine = "\n" };
        using var error = new StringWriter { NewLine = "\n" };
        string[] full = remote
            ? [.. args, "--registry", registry.Server.BaseAddress.ToString()]
            : [.. args, .. (await Azurite.GetAsync()).RegistrySettings(registry.Server.Prefix).Select(kv => $"--{kv.Key}={kv.Value}")];
        // Auth is off on this registry; --registry still needs credentials to send.
        var code = await RegistryCli.RunAsync(full, output, error, name => name == "REGISTRY_ADMIN_TOKEN" ? "ops:secret" : null);
        return new CliRun(code, output.ToString(), error.ToString());
    }

    private sealed record CliRun(int Code, string Output, string Error);
}
