using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Events.Replication;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests.Replication;

/// <summary>
/// The full sync through its commands. The rule is given on the command line only, so the running source registry
/// does not deliver these pushes itself and the destination starts without them.
/// </summary>
[Collection(ReplicationCollection.Name)]
public sealed class ReplicationSyncTests(ReplicationFixture fixture)
{
    [Fact]
    public async Task DryRunCopiesNothingThenRunCopiesWhatIsMissing()
    {
        var web = await MultiArchImage.PushAsync(fixture.Source.Client, "later/web", "1.0");
        var (_, latest) = await fixture.Source.Client.PushImageAsync("later/web", "latest");
        var (_, tool) = await fixture.Source.Client.PushImageAsync("later/tools/cli", "0.1");
        await fixture.Source.Client.PushImageAsync("elsewhere/app", "1");

        var status = await CliAsync("replication", "status");
        Assert.Equal(1, status.Code);
        Assert.Contains("replication:later -> ", status.Out, StringComparison.Ordinal);
        Assert.Contains("3 tags in 2 repositories: 0 in sync, 3 behind (later/tools/cli:0.1, later/web:1.0, later/web:latest), 0 failed", status.Out, StringComparison.Ordinal);

        var dryRun = await CliAsync("replication", "run", "--dry-run", "--rule", "later");
        Assert.Equal(0, dryRun.Code);
        Assert.Contains("later: later/web -> " + fixture.SyncDestination.HostPort + "/later/web: 2 tags: 2 to copy, 0 in sync, 0 failed", dryRun.Out, StringComparison.Ordinal);
        Assert.Contains("replication (dry run): 1 rules, 2 repositories, 3 tags: 3 to copy, 0 in sync, 0 failed", dryRun.Out, StringComparison.Ordinal);
        Assert.Null(await ReplicationFixture.HeadAsync(fixture.SyncDestination.Client, "later/web", "1.0"));

        var run = await CliAsync("replication", "run");
        Assert.True(run.Code == 0, run.Out + run.Error);
        Assert.Contains("later: later/tools/cli -> " + fixture.SyncDestination.HostPort + "/later/tools/cli: 1 tags: 1 copied, 0 in sync, 0 failed", run.Out, StringComparison.Ordinal);
        Assert.Contains("replication: 1 rules, 2 repositories, 3 tags: 3 copied, 0 in sync, 0 failed; ", run.Out, StringComparison.Ordinal);
        Assert.Equal(web.IndexDigest, await ReplicationFixture.HeadAsync(fixture.SyncDestination.Client, "later/web", "1.0"));
        Assert.Equal(latest, await ReplicationFixture.HeadAsync(fixture.SyncDestination.Client, "later/web", "latest"));
        Assert.Equal(tool, await ReplicationFixture.HeadAsync(fixture.SyncDestination.Client, "later/tools/cli", "0.1"));
        Assert.Equal(web.SignatureDigest, await ReplicationFixture.HeadAsync(fixture.SyncDestination.Client, "later/web", web.SignatureDigest));
        Assert.Null(await ReplicationFixture.HeadAsync(fixture.SyncDestination.Client, "elsewhere/app", "1"));

        var after = await CliAsync("replication", "status");
        Assert.Equal(0, after.Code);
        Assert.Contains("3 tags in 2 repositories: 3 in sync, 0 behind, 0 failed", after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SyncCopiesAReferrerWhoseEventNeverCame()
    {
        var image = await MultiArchImage.PushAsync(fixture.Source.Client, "lost/app", "1.0", signed: false);
        var first = await RuleCliAsync("lost", "replication", "run");
        Assert.True(first.Code == 0, first.Out + first.Error);
        Assert.Equal(image.IndexDigest, await ReplicationFixture.HeadAsync(fixture.SyncDestination.Client, "lost/app", "1.0"));

        // Attached by digest later, and its push event lost: the tag itself is in sync.
        var (signature, signatureDigest) = await MultiArchImage.SignAsync(fixture.Source.Client, "lost/app", image.IndexDigest);
        var status = await RuleCliAsync("lost", "replication", "status");
        Assert.Equal(1, status.Code);
        Assert.Contains($"1 tags in 1 repositories: 0 in sync, 1 behind (lost/app@{signatureDigest}), 0 failed", status.Out, StringComparison.Ordinal);

        var run = await RuleCliAsync("lost", "replication", "run");
        Assert.True(run.Code == 0, run.Out + run.Error);
        Assert.Contains("replication: 1 rules, 1 repositories, 1 tags: 1 copied, 0 in sync, 0 failed; 2 blobs ", run.Out, StringComparison.Ordinal);
        Assert.Equal([signatureDigest], await ReplicationFixture.ReferrersAsync(fixture.SyncDestination.Client, "lost/app", image.IndexDigest));
        Assert.Equal(signature, await new Skopeo(fixture.Sandbox).InspectRawAsync($"docker://{fixture.SyncDestination.HostPort}/lost/app@{signatureDigest}"));

        var after = await RuleCliAsync("lost", "replication", "status");
        Assert.Equal(0, after.Code);
        Assert.Contains("1 tags in 1 repositories: 1 in sync, 0 behind, 0 failed", after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DamagedManifestFailsItsTagOnly()
    {
        var (_, good) = await fixture.Source.Client.PushImageAsync("damaged/app", "good");
        // A tag whose stored manifest matches its digest but is no manifest: reading it here fails, not the destination.
        var bytes = "{\"schemaVersion\":2,\"mediaType\":\"not a manifest\"}"u8.ToArray();
        var storage = fixture.Source.Services.GetRequiredService<RegistryStorage>();
        var row = new TagRow(OciHttp.Sha256(bytes), new ManifestBody(OciHttp.OciManifest, bytes.Length, bytes, null), DateTimeOffset.UtcNow)
            .ToRow(StorageLayout.RepositoryKey("damaged/app"), "bad");
        await storage.Metadata.ExecuteAsync(storage.Layout.RepositoriesTable, RowOperation.Upsert(row), CancellationToken.None);

        var run = await RuleCliAsync("damaged", "replication", "run");

        Assert.Equal(1, run.Code);
        Assert.Contains("replication: 1 rules, 1 repositories, 2 tags: 1 copied, 0 in sync, 1 failed; ", run.Out, StringComparison.Ordinal);
        Assert.Contains("damaged/app:bad", run.Out + run.Error, StringComparison.Ordinal);
        Assert.Equal(good, await ReplicationFixture.HeadAsync(fixture.SyncDestination.Client, "damaged/app", "good"));
    }

    [Fact]
    public async Task UnknownRuleIsOneLine()
    {
        var result = await CliAsync("replication", "run", "--rule", "nope");
        Assert.Equal(2, result.Code);
        Assert.Equal("replication run: no replication rule named 'nope'; configured: later.", result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim());
    }

    [Fact]
    public async Task WithoutRulesTheSyncDoesNothing()
    {
        var report = await fixture.Destination.Services.GetRequiredService<ReplicationSync>().RunAsync(null, dryRun: false, null, CancellationToken.None);
        Assert.Empty(report.Rules);
        Assert.Equal("replication: 0 rules, 0 repositories, 0 tags: 0 copied, 0 in sync, 0 failed; 0 blobs (0 bytes) pushed", report.Summary());
    }

    /// <summary>The program's command line against the source's storage, with the rule "later" to the sync destination.</summary>
    private Task<(int Code, string Out, string Error)> CliAsync(params string[] args) => RuleCliAsync("later", args);

    /// <summary>The command line with one rule, <paramref name="name"/>, for the repositories <c>{name}/**</c>.</summary>
    private async Task<(int Code, string Out, string Error)> RuleCliAsync(string name, params string[] args)
    {
        var azurite = await Azurite.GetAsync();
        var settings = azurite.RegistrySettings(fixture.Source.Prefix);
        settings["Events:Replication:0:Name"] = name;
        settings["Events:Replication:0:Destination"] = ReplicationFixture.Url(fixture.SyncDestination.HostPort);
        settings["Events:Replication:0:Repositories:0"] = name + "/**";
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await RegistryCli.RunAsync([.. args, .. settings.Select(s => $"--{s.Key}={s.Value}")], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
