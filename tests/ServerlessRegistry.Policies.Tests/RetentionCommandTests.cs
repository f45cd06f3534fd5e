using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Policies.Retention;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary><c>policy run</c> through the program's own entry point, and the garbage-collection step, against a registry on Azurite.</summary>
public sealed class RetentionCommandTests(RetentionHarness registry) : IClassFixture<RetentionHarness>
{
    [Fact]
    public async Task DryRunPrintsEachDeletionAndWhyPerRuleThenARunDeletes()
    {
        const string repository = "cli/app";
        var old = await registry.PushAsync(repository, null, "old");
        await registry.PullAsync(repository, old);
        registry.Clock.Advance(TimeSpan.FromDays(60));
        await registry.PushAsync(repository, null, "latest");
        await new PolicyStore(registry.Storage, registry.Clock).PutAsync(
            new RetentionRule("latest-only", "cli/**", ["**"], new RetentionKeep(Matching: ["latest"])), CancellationToken.None);
        var before = await registry.SnapshotAsync(repository);

        var (code, output, error) = await RunAsync("policy", "run", "--dry-run");

        Assert.True(code == 0, error);
        Assert.Equal(before, await registry.SnapshotAsync(repository));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("Dry run: nothing was deleted.", lines[0]);
        Assert.Equal("rule 'latest-only': 1 tags, 1 manifests would be deleted", lines[1]);
        Assert.StartsWith($"{repository}:old ({old[..19]}): matches none of 'latest'; pushed 2026-06-01; last pulled 2026-06-01", lines[2]);
        Assert.StartsWith($"{repository}@{old}: every tag of it is deleted (old); last pulled 2026-06-01", lines[3]);
        Assert.StartsWith("Summary: would delete 1 tags and 1 manifests of 2 tags in 1 repositories, 0 kept after a concurrent write", lines[4]);

        // The daily run's step, as the garbage collection calls it.
        registry.Server.Services.GetRequiredService<PolicyCache>().Invalidate();
        var step = registry.Server.Services.GetServices<IGarbageCollectionStep>().OfType<RetentionStep>().Single();
        var line = await step.RunAsync(new MaintenanceOptions { DryRun = true }, null, CancellationToken.None);
        Assert.StartsWith("retention: would delete 1 tags and 1 manifests of 2 tags in 1 repositories", line);
        Assert.Equal(before, await registry.SnapshotAsync(repository));

        var run = await RunAsync("policy", "run", "--repository", repository);
        Assert.Equal(0, run.Code);
        Assert.StartsWith("Retention finished.", run.Output);
        Assert.False(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(old)));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.TagKey("latest")));
    }

    [Fact]
    public async Task ARepositoryNoRuleCoversIsNamedAndABadNameIsRefused()
    {
        var uncovered = await RunAsync("policy", "run", "--dry-run", "--repository", "elsewhere/app");
        Assert.Equal(0, uncovered.Code);
        Assert.Contains("No retention rule covers elsewhere/app.", uncovered.Output);

        var bad = await RunAsync("policy", "run", "--repository", "Bad Name");
        Assert.Equal(2, bad.Code);
        Assert.Equal("policy run: 'Bad Name' is not a repository name.", bad.Error.Trim());
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var settings = (await Azurite.GetAsync()).RegistrySettings(registry.Server.Prefix).Select(kv => $"--{kv.Key}={kv.Value}");
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await RegistryCli.RunAsync([.. args, .. settings], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
