using Microsoft.Extensions.Logging;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Policies.Retention;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>
/// Retention against Azurite when a client writes between its plan and its deletes: whatever the client keeps keeps
/// everything it needs (an index its children, a referrer its subject). And a retention that fails leaves the collection running.
/// </summary>
public sealed class RetentionRaceTests(RetentionHarness registry) : IClassFixture<RetentionHarness>
{
    private static readonly TimeSpan Grace = TimeSpan.FromDays(1);

    [Fact]
    public async Task AnIndexRePushedDuringTheRunKeepsItsTaggedChild()
    {
        const string repository = "race/index";
        var child = await registry.PushAsync(repository, null, "v1-amd64");
        var index = await registry.PushIndexAsync(repository, "v1", child);
        var policies = await LatestOnlyAsync(repository);

        var report = await RunAsync(policies, repository, _ => registry.RetagAsync(repository, index, "v1"));

        Assert.Equal(1, report.Conflicts);
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(index)));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.TagKey("v1")));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(child)));
        Assert.DoesNotContain(report.Deleted, v => v.Tag is null);
    }

    [Fact]
    public async Task AReferrerTaggedDuringTheRunKeepsItsSubject()
    {
        const string repository = "race/referrer";
        var subject = await registry.PushAsync(repository, null, "s1");
        var referrer = await registry.PushAsync(repository, subject);
        var policies = await LatestOnlyAsync(repository);

        var report = await RunAsync(policies, repository, _ => registry.RetagAsync(repository, referrer, "signed"));

        Assert.Equal(1, report.Conflicts);
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(subject)));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(referrer)));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ReferrerKey(subject, referrer)));
        Assert.DoesNotContain(report.Deleted, v => v.Tag is null);
    }

    [Fact]
    public async Task ASubjectWithMoreReferrersThanABatchGoesLastAndStaysWhenOneOfThemIsTagged()
    {
        const string repository = "race/many-referrers";
        var subject = await registry.PushAsync(repository, null, "s1");
        var referrers = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            referrers.Add(await registry.PushAsync(repository, subject));
        }

        var policies = await LatestOnlyAsync(repository);

        var report = await RunAsync(policies, repository, _ => registry.RetagAsync(repository, referrers[0], "signed"));

        Assert.Equal(1, report.Conflicts);
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(subject)));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(referrers[0])));
        Assert.Equal(referrers.Skip(1).Order(StringComparer.Ordinal), report.Deleted.Where(v => v.Tag is null).Select(v => v.Digest).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task AnUnreadableRuleRowFailsTheStepWithAWarningAndCancellationStillPropagates()
    {
        var broken = new TableRow(PolicyLayout.RulesPartition, "broken-rule") { Properties = { ["Kind"] = "retention", ["Json"] = "{ not json" } };
        var table = PolicyLayout.Table(registry.Storage.Layout);
        await registry.Storage.Metadata.ExecuteAsync(table, RowOperation.Upsert(broken), CancellationToken.None);
        try
        {
            using var logs = new CapturingLoggerProvider();
            using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
            var step = new RetentionStep(registry.Runner(), factory.CreateLogger<RetentionStep>());

            var line = await step.RunAsync(new MaintenanceOptions { DryRun = true }, null, CancellationToken.None);

            Assert.StartsWith("retention: failed: policy rule 'broken-rule' is unreadable", line);
            Assert.DoesNotContain('\n', line);
            Assert.Contains(logs.Lines, l => l.Level == LogLevel.Warning && l.Category == typeof(RetentionStep).FullName);
            var cancelled = new RetentionStep(registry.Runner(), factory.CreateLogger<RetentionStep>());
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.RunAsync(new MaintenanceOptions(), null, new CancellationToken(true)));
        }
        finally
        {
            await registry.Storage.Metadata.ExecuteAsync(table, RowOperation.Delete(broken.PartitionKey, broken.RowKey), CancellationToken.None);
        }
    }

    /// <summary>After the seeded manifests age 60 days, a fresh "latest" and a rule keeping only it.</summary>
    private async Task<PolicySet> LatestOnlyAsync(string repository)
    {
        registry.Clock.Advance(TimeSpan.FromDays(60));
        await registry.PushAsync(repository, null, "latest");
        return new PolicySet([new RetentionRule("latest-only", repository, ["**"], new RetentionKeep(Matching: ["latest"]))], [], [], []);
    }

    /// <summary>A run whose first manifest delete is preceded by <paramref name="write"/>, as a client racing it.</summary>
    private async Task<RetentionReport> RunAsync(PolicySet policies, string repository, Func<IReadOnlyList<RowOperation>, Task> write)
    {
        var raced = false;
        var hooked = new RetentionHookedStore(registry.Storage, async operations =>
        {
            if (!raced && operations.Any(o => o.Row.RowKey.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal)))
            {
                raced = true;
                await write(operations);
            }
        });

        var report = await registry.Runner(hooked.Storage).RunAsync(policies, dryRun: false, Grace, repository, false, null, CancellationToken.None);
        Assert.True(raced);
        return report;
    }
}
