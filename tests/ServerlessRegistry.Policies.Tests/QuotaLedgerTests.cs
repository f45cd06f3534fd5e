using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Policies.Quotas;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>The quota ledger on Azurite's table service: charges, their bound under concurrency, and reconciliation.</summary>
public sealed class QuotaLedgerTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private Azurite _azurite = null!;
    private RegistryStorage _storage = null!;

    public async Task InitializeAsync()
    {
        (_azurite, _storage) = await AzuriteStorage.CreateAsync();
    }

    public Task DisposeAsync() => StorageCleanup.DeletePrefixAsync(_azurite, _storage.Layout.Prefix);

    private QuotaLedger Ledger() => new(_storage, _time);

    private static string D(int n) => "sha256:" + n.ToString("x64");

    [Fact]
    public async Task ChargesUpToTheLimitExactlyThenRefusesNamingTheQuotaAndItsUse()
    {
        var rule = new QuotaRule("team", "team/*", 1024);
        var ledger = Ledger();

        await ledger.ChargeAsync(rule, D(1), 600, default);
        await ledger.ChargeAsync(rule, D(2), 424, default);
        var refused = await Assert.ThrowsAsync<RegistryException>(() => ledger.ChargeAsync(rule, D(3), 1, default));

        Assert.Equal(ErrorKind.Denied, refused.Kind);
        Assert.Equal("quota 'team' (1 KiB for team/*) is used 1 KiB of 1 KiB; this push needs 1 B more", refused.Message);
        Assert.Contains(("rule", "team"), refused.Detail);
        Assert.Equal(1024, (await ledger.ReadAsync(rule, default)).UsedBytes);
    }

    [Fact]
    public async Task ContentAlreadyCountedIsNotChargedAgainNorRefusedAtTheLimit()
    {
        var rule = new QuotaRule("once", "**", 1000);
        var ledger = Ledger();

        await ledger.ChargeAsync(rule, D(1), 1000, default);
        await ledger.ChargeAsync(rule, D(1), 1000, default);

        Assert.Equal(1000, (await ledger.ReadAsync(rule, default)).UsedBytes);
    }

    [Fact]
    public async Task ConcurrentChargesOfOneDigestCountItOnce()
    {
        var rule = new QuotaRule("same", "**", 100_000);
        var (a, b) = (Ledger(), Ledger());

        await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? a : b).ChargeAsync(rule, D(5), 3_000, default)));

        Assert.Equal(3_000, (await a.ReadAsync(rule, default)).UsedBytes);
    }

    [Fact]
    public async Task ConcurrentChargesNearTheLimitNeverPassIt()
    {
        var rule = new QuotaRule("race", "**", 10_000);
        var (a, b) = (Ledger(), Ledger());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            try
            {
                await (i % 2 == 0 ? a : b).ChargeAsync(rule, D(100 + i), 1_000, default);
                return true;
            }
            catch (RegistryException e) when (e.Kind == ErrorKind.Denied)
            {
                return false;
            }
        }));

        Assert.Equal(10, outcomes.Count(o => o));
        Assert.Equal(10_000, (await a.ReadAsync(rule, default)).UsedBytes);
    }

    [Fact]
    public async Task ReconcileCountsDistinctDigestsOfCoveredRepositoriesAndKeepsChargesMadeDuringTheScan()
    {
        var rule = new QuotaRule("recon", "team/*", 1_000_000);
        var ledger = Ledger();
        await LinkAsync("team/a", D(1), 100);
        await LinkAsync("team/b", D(1), 100); // shared: counted once
        await LinkAsync("team/b", D(2), 50);
        await LinkAsync("other/c", D(3), 7_000); // outside the quota
        await ledger.ChargeAsync(rule, D(1), 100, default);
        await ledger.ChargeAsync(rule, D(9), 5_000, default); // a push that never linked: drift
        _time.Advance(TimeSpan.FromHours(1));
        await ledger.ChargeAsync(rule, D(8), 30, default); // charged a minute before the run, not linked yet: in flight
        _time.Advance(TimeSpan.FromMinutes(1));

        var duringScan = new ChargeOnFirstReport(() => ledger.ChargeAsync(rule, D(7), 11, default));
        var drift = Assert.Single(await ledger.ReconcileAsync([rule], dryRun: false, duringScan, default));

        Assert.Equal(5_130, drift.CountedBytes);
        Assert.Equal(180, drift.ActualBytes); // 100 + 50 held, 30 in flight
        Assert.Equal(4_950, drift.Drift);
        var use = await ledger.ReadAsync(rule, default);
        Assert.Equal(191, use.UsedBytes); // what is held and in flight, plus the 11 bytes charged during the scan
        Assert.Equal(4_950, use.LastDrift);
        Assert.NotNull(use.ReconciledAt);
        var charged = await ChargedDigestsAsync(rule.Name);
        Assert.Equal([D(1), D(2), D(7), D(8)], charged.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DryRunReportsDriftAndWritesNothing()
    {
        var rule = new QuotaRule("dry", "dry/*", 1_000);
        var ledger = Ledger();
        await LinkAsync("dry/a", D(1), 10);
        await ledger.ChargeAsync(rule, D(2), 500, default);
        _time.Advance(TimeSpan.FromHours(1));

        var drift = Assert.Single(await ledger.ReconcileAsync([rule], dryRun: true, null, default));

        Assert.Equal(490, drift.Drift);
        Assert.Equal(500, (await ledger.ReadAsync(rule, default)).UsedBytes);
        Assert.Equal([D(2)], await ChargedDigestsAsync(rule.Name));
    }

    [Fact]
    public async Task ForgetRemovesTheCounterAndEveryCharge()
    {
        var rule = new QuotaRule("gone", "**", 1_000);
        var ledger = Ledger();
        await ledger.ChargeAsync(rule, D(1), 10, default);
        await ledger.ChargeAsync(rule, D(2), 10, default);

        await ledger.ForgetAsync(rule.Name, default);
        await ledger.ForgetAsync(rule.Name, default);

        Assert.Equal(0, (await ledger.ReadAsync(rule, default)).UsedBytes);
        Assert.Empty(await ChargedDigestsAsync(rule.Name));
    }

    [Fact]
    public async Task ARePushOfContentWhoseChargeIsStaleKeepsItsChargeThroughAReconciliation()
    {
        var rule = new QuotaRule("relinked", "team/*", 10_000);
        var ledger = Ledger();
        await ledger.ChargeAsync(rule, D(1), 100, default); // then deleted and collected: no repository holds it now
        _time.Advance(TimeSpan.FromHours(1));

        // Pushed again after the scan passed its repository: the charge finds its old row and takes its increment back.
        await ledger.ReconcileAsync([rule], dryRun: false, new ChargeOnFirstReport(async () =>
        {
            await LinkAsync("team/app", D(1), 100);
            await ledger.ChargeAsync(rule, D(1), 100, default);
        }), default);

        Assert.Equal([D(1)], await ChargedDigestsAsync(rule.Name));
        Assert.Equal(100, (await ledger.ReconcileAsync([rule], dryRun: false, null, default))[0].ActualBytes);
    }

    [Fact]
    public async Task AReconciliationFailureAfterCollectionIsReportedNotThrown()
    {
        var row = new TableRow(PolicyLayout.RulesPartition, "broken") { ["Kind"] = "quota", ["Json"] = """{"repositories":"a/*"}""" };
        await _storage.Metadata.ExecuteAsync(PolicyLayout.Table(_storage.Layout), RowOperation.Upsert(row), default);
        var step = new QuotaReconcileStep(new PolicyCache(new PolicyStore(_storage, _time), _time), Ledger(), NullLogger<QuotaReconcileStep>.Instance);

        var line = await step.AfterCollectionAsync(new MaintenanceOptions(), null, default);

        Assert.StartsWith("quotas: reconciliation failed: policy rule 'broken' is unreadable (no limitBytes)", line);
        Assert.DoesNotContain('\n', line!);
    }

    private Task LinkAsync(string repository, string digest, long size) =>
        _storage.Metadata.ExecuteAsync(_storage.Layout.RepositoriesTable,
            RowOperation.Upsert(new BlobLinkRow("data/x", size, _time.GetUtcNow()).ToRow(repository, digest)), default);

    private async Task<List<string>> ChargedDigestsAsync(string name)
    {
        var rows = await _storage.QueryAllAsync(PolicyLayout.Table(_storage.Layout),
            new RowQuery { PartitionKey = PolicyLayout.QuotaPartition(name), RowKeyFrom = PolicyLayout.QuotaChargePrefix, RowKeyTo = "d;" }, 1000, default);
        return [.. rows.Select(r => r.RowKey[PolicyLayout.QuotaChargePrefix.Length..])];
    }

    /// <summary>Makes a charge while the reconciliation's scan is under way (its first progress report).</summary>
    private sealed class ChargeOnFirstReport(Func<Task> charge) : IProgress<GcProgress>
    {
        private int _reported;

        public void Report(GcProgress value)
        {
            if (value.Phase == "quota rows scanned" && Interlocked.Exchange(ref _reported, 1) == 0)
            {
                charge().GetAwaiter().GetResult();
            }
        }
    }
}
