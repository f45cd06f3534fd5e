using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Policies.Quotas;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary><c>policy reconcile</c> as an operator runs it, against the storage of a running registry.</summary>
public sealed class QuotaReconcileCommandTests(GuardFixture fixture) : IClassFixture<GuardFixture>
{
    [Fact]
    public async Task DryRunPrintsTheDriftPerQuotaAndTheRunCorrectsIt()
    {
        var scope = GuardFixture.NewName("quota-cli");
        var rule = new QuotaRule(GuardFixture.NewName("quota"), scope + "/*", 10_240);
        await fixture.SetAsync(rule);
        await fixture.Client.PushBlobAsync(scope + "/app", OciHttp.RandomBytes(1_000));
        // A counter that says more than the repositories hold, as deletes leave it.
        var storage = fixture.Server.Services.GetRequiredService<RegistryStorage>();
        await storage.Metadata.ExecuteAsync(PolicyLayout.Table(storage.Layout), RowOperation.Upsert(new QuotaTotalRow(5_000, null, 0).ToRow(rule.Name)), default);
        var settings = (await Azurite.GetAsync()).RegistrySettings(fixture.Server.Prefix).Select(kv => $"--{kv.Key}={kv.Value}").ToArray();

        var (dryCode, dryOutput) = await RunAsync(["policy", "reconcile", "--dry-run", .. settings]);
        var dryUse = await fixture.Ledger.ReadAsync(rule, default);
        var (code, output) = await RunAsync(["policy", "reconcile", .. settings]);

        Assert.Equal(0, dryCode);
        var row = Assert.Single(dryOutput.Split('\n'), l => l.StartsWith(rule.Name + " ", StringComparison.Ordinal));
        Assert.Equal([rule.Name, "10", "KiB", "4.9", "KiB", "1000", "B", "+3.9", "KiB", scope + "/*"], row.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("Dry run: no counter was changed.", dryOutput, StringComparison.Ordinal);
        Assert.Equal(5_000, dryUse.UsedBytes);
        Assert.Equal(0, code);
        Assert.Contains("Counters set to what the repositories hold.", output, StringComparison.Ordinal);
        var use = await fixture.Ledger.ReadAsync(rule, default);
        Assert.Equal((1_000, 4_000L), (use.UsedBytes, use.LastDrift));
    }

    private static async Task<(int Code, string Output)> RunAsync(string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await RegistryCli.RunAsync(args, output, error);
        return (code, output.ToString());
    }
}
