using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Maintenance;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>Quotas on the push path over raw HTTP: limits, upload kinds, mounts, concurrent pushes, reconciliation.</summary>
public sealed class QuotaFlowTests(GuardFixture fixture) : IClassFixture<GuardFixture>
{
    private HttpClient Client => fixture.Client;

    /// <summary>A quota of its own over repositories "{stem}-…/*".</summary>
    private async Task<(QuotaRule Rule, string Scope)> QuotaAsync(string stem, long limit)
    {
        var scope = GuardFixture.NewName(stem);
        var rule = new QuotaRule(GuardFixture.NewName("quota"), scope + "/*", limit);
        await fixture.SetAsync(rule);
        return (rule, scope);
    }

    private async Task<long> UsedAsync(QuotaRule rule) => (await fixture.Ledger.ReadAsync(rule, default)).UsedBytes;

    private Task<HttpResponseMessage> PushMonolithicAsync(string repository, byte[] content) =>
        Client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={OciHttp.Sha256(content)}", new ByteArrayContent(content));

    [Fact]
    public async Task PushesUnderAndAtTheLimitPassAndOneOverIsDeniedWithTheQuotaAndItsUse()
    {
        var (rule, scope) = await QuotaAsync("quota-limit", 3_072);
        var repository = scope + "/app";

        using var under = await PushMonolithicAsync(repository, OciHttp.RandomBytes(1_024));
        using var at = await PushMonolithicAsync(repository, OciHttp.RandomBytes(2_048));
        using var over = await PushMonolithicAsync(repository, OciHttp.RandomBytes(1));
        using var start = await Client.PostAsync($"/v2/{repository}/blobs/uploads/", null);

        Assert.Equal(HttpStatusCode.Created, under.StatusCode);
        Assert.Equal(HttpStatusCode.Created, at.StatusCode);
        // At the limit even a session start is refused, before any byte is sent.
        await GuardFixture.AssertDeniedAsync(over, $"quota '{rule.Name}' (3 KiB for {scope}/*) is used up (3 KiB of 3 KiB)");
        await GuardFixture.AssertDeniedAsync(start, $"quota '{rule.Name}' (3 KiB for {scope}/*) is used up (3 KiB of 3 KiB)");
        Assert.Equal(3_072, await UsedAsync(rule));
    }

    [Fact]
    public async Task ChunkedUploadPastTheLimitIsRefusedAtCommitAndLinksNothing()
    {
        var (rule, scope) = await QuotaAsync("quota-chunked", 1_536);
        var repository = scope + "/app";
        var big = OciHttp.RandomBytes(2_048);
        var small = OciHttp.RandomBytes(1_000);

        var refused = await PushChunkedAsync(repository, big);
        var accepted = await PushChunkedAsync(repository, small);

        // The size is known only at commit: refused there, with the use and what the push needed.
        await GuardFixture.AssertDeniedAsync(refused, $"quota '{rule.Name}' (1.5 KiB for {scope}/*) is used 0 B of 1.5 KiB; this push needs 2 KiB more");
        Assert.Equal(HttpStatusCode.Created, accepted.StatusCode);
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/blobs/{OciHttp.Sha256(big)}"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
        Assert.Equal(1_000, await UsedAsync(rule));
    }

    [Fact]
    public async Task MonolithicUploadDeclaringMoreThanRemainsIsRefusedBeforeItsBody()
    {
        var (rule, scope) = await QuotaAsync("quota-declared", 1_000);

        using var response = await PushMonolithicAsync(scope + "/app", OciHttp.RandomBytes(1_001));

        await GuardFixture.AssertDeniedAsync(response, "this push needs 1001 B more");
        Assert.Equal(0, await UsedAsync(rule));
    }

    [Fact]
    public async Task MountOfCountedContentAddsNothingAndFromOutsideTheQuotaAddsItsSize()
    {
        var (rule, scope) = await QuotaAsync("quota-mount", 10_000);
        var outside = GuardFixture.NewName("elsewhere") + "/app";
        var counted = await Client.PushBlobAsync(scope + "/a", OciHttp.RandomBytes(1_000));
        var foreign = await Client.PushBlobAsync(outside, OciHttp.RandomBytes(500));

        using var inside = await Client.PostAsync($"/v2/{scope}/b/blobs/uploads/?mount={counted}&from={scope}/a", null);
        Assert.Equal(HttpStatusCode.Created, inside.StatusCode);
        Assert.Equal(1_000, await UsedAsync(rule));

        using var across = await Client.PostAsync($"/v2/{scope}/b/blobs/uploads/?mount={foreign}&from={outside}", null);
        Assert.Equal(HttpStatusCode.Created, across.StatusCode);
        Assert.Equal(1_500, await UsedAsync(rule));
    }

    [Fact]
    public async Task ConcurrentPushesNearTheLimitNeverPassIt()
    {
        var (rule, scope) = await QuotaAsync("quota-race", 5_000);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var response = await PushMonolithicAsync($"{scope}/app{i % 3}", OciHttp.RandomBytes(1_000));
            return response.StatusCode;
        }));

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Forbidden));
        Assert.Equal(5_000, await UsedAsync(rule));
    }

    [Fact]
    public async Task ReconciliationAfterGarbageCollectionCorrectsTheDrift()
    {
        var (rule, scope) = await QuotaAsync("quota-gc", 1_000_000);
        var repository = scope + "/app";
        await Client.PushImageAsync(repository, "kept", layerSize: 2_048);
        var kept = await UsedAsync(rule);
        var (_, digest) = await Client.PushImageAsync(repository, "gone", layerSize: 4_096); // shares the config
        var pushed = await UsedAsync(rule);
        using var delete = await Client.DeleteAsync($"/v2/{repository}/manifests/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        fixture.Clock.Advance(TimeSpan.FromHours(25));

        // The collection, then the quota step as MaintenanceJobs runs it after the collection.
        var options = new MaintenanceOptions().Validate();
        await fixture.Server.Services.GetRequiredService<GarbageCollector>().RunAsync(options, null, default);
        var step = fixture.Server.Services.GetServices<IGarbageCollectionStep>().OfType<Quotas.QuotaReconcileStep>().Single();
        var line = await step.AfterCollectionAsync(options, null, default);

        Assert.Equal(kept, await UsedAsync(rule));
        Assert.Equal(pushed - kept, (await fixture.Ledger.ReadAsync(rule, default)).LastDrift);
        Assert.Contains($"'{rule.Name}' drift +{Quotas.QuotaText.Size(pushed - kept)}", line, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PushChunkedAsync(string repository, byte[] content)
    {
        using var start = await Client.PostAsync($"/v2/{repository}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        var half = content.Length / 2;
        using (var first = await Client.PatchChunkAsync(location, content, 0, half - 1))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
            location = first.Headers.Location!.ToString();
        }

        using (var second = await Client.PatchChunkAsync(location, content, half, content.Length - 1))
        {
            Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
            location = second.Headers.Location!.ToString();
        }

        return await Client.PutAsync(location + (location.Contains('?') ? "&" : "?") + "digest=" + OciHttp.Sha256(content), null);
    }
}
