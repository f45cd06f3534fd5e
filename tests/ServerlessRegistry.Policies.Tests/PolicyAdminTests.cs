using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Policies.Quotas;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>
/// The admin API's policy resources over HTTP (a registry with auth off: who may call is AdminAccessTests' concern),
/// on a registry with a hand-moved clock so retention has something old to delete.
/// </summary>
public sealed partial class PolicyAdminTests(RetentionHarness registry) : IClassFixture<RetentionHarness>
{
    [Fact]
    public async Task RulesOfEachKindArePutReadListedAndDeleted()
    {
        const string retention = """{"kind":"retention","repositories":"adm/**","keepLastPushed":5,"keepPushedWithin":"720h","untaggedAfter":"7d"}""";
        var created = await SendAsync(HttpMethod.Put, "policies/adm-keep", retention);
        var replaced = await SendAsync(HttpMethod.Put, "policies/adm-keep", retention);
        var immutable = await SendAsync(HttpMethod.Put, "policies/adm-rel", """{"kind":"immutable","repositories":"release/*","tags":["v*"]}""");
        var quota = await SendAsync(HttpMethod.Put, "policies/adm-quota", """{"kind":"quota","repositories":"adm/*","limitBytes":10240}""");

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.Created), (created.Status, replaced.Status, immutable.Status, quota.Status));
        var spec = replaced.Body.GetProperty("spec");
        Assert.Equal("""{"kind":"retention","repositories":"adm/**","tags":["**"],"keepLastPushed":5,"keepPushedWithin":"30d","untaggedAfter":"7d"}""", spec.GetRawText());
        Assert.Equal("at most 10.0 KiB (10,240 bytes), each digest counted once", quota.Body.GetProperty("summary").GetString());
        Assert.Equal(0, quota.Body.GetProperty("use").GetProperty("usedBytes").GetInt64());

        var got = await SendAsync(HttpMethod.Get, "policies/adm-rel");
        Assert.Equal(HttpStatusCode.OK, got.Status);
        Assert.Equal("tags v* cannot be moved or deleted", got.Body.GetProperty("summary").GetString());
        var page = await SendAsync(HttpMethod.Get, "policies?n=2&last=adm-k");
        Assert.Equal(["adm-keep", "adm-quota"], page.Body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.Equal("adm-quota", page.Body.GetProperty("next").GetString());
        var rest = await SendAsync(HttpMethod.Get, "policies?last=adm-quota");
        Assert.Contains(rest.Body.GetProperty("items").EnumerateArray(), i => i.GetProperty("name").GetString() == "adm-rel");

        var otherKind = await SendAsync(HttpMethod.Put, "policies/adm-rel", """{"kind":"quota","repositories":"a/*","limitBytes":1}""");
        Assert.Equal(HttpStatusCode.Conflict, otherKind.Status);
        Assert.Contains("the name 'adm-rel' belongs to an immutable rule", Message(otherKind));

        foreach (var (name, kind) in new[] { ("adm-rel", "immutable"), ("adm-keep", "retention"), ("adm-quota", "quota") })
        {
            var removed = await SendAsync(HttpMethod.Delete, "policies/" + name);
            Assert.Equal(HttpStatusCode.OK, removed.Status);
            Assert.Equal(kind, removed.Body.GetProperty("kind").GetString());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, "policies/adm-rel")).Status);
        var missing = await SendAsync(HttpMethod.Get, "policies/adm-rel");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("there is no rule named 'adm-rel'; 'policy list' shows them.", Message(missing));
    }

    [Theory]
    [InlineData("""{"kind":"retention","repositories":"a/*","keepLastPushed":-1}""", "keepLastPushed must be at least 1")]
    [InlineData("""{"kind":"retention","repositories":"a/*","keepPushedWithin":"soon"}""", "keepPushedWithin 'soon' is not a period")]
    [InlineData("""{"kind":"retention","repositories":"a b","keepAlways":true}""", "repositories: pattern 'a b' contains white space")]
    [InlineData("""{"kind":"retention","repositories":"a/*","keepMatching":["x***"]}""", "keepMatching: pattern 'x***' has '***'")]
    [InlineData("""{"kind":"retention","repositories":"a/*","limitBytes":5,"keepAlways":true}""", "limitBytes is not a field of a retention rule")]
    [InlineData("""{"kind":"immutable","repositories":"a/*","tags":["v*","r*"]}""", "tags: an immutable rule takes exactly one tag pattern")]
    [InlineData("""{"kind":"quota","repositories":"a/*","limitBytes":0}""", "limitBytes: a quota needs a limit above zero bytes")]
    [InlineData("""{"kind":"mirror","repositories":"a/*"}""", "$.kind")]
    [InlineData("""{"repositories":"a/*"}""", "kind")]
    [InlineData("""{"kind":"quota","repositories":"a/*","limitBytes":5,"limit":"5GiB"}""", "'limit'")]
    public async Task ABadSpecIsInvalidNamingTheFieldAndStoresNothing(string json, string expected)
    {
        var put = await SendAsync(HttpMethod.Put, "policies/adm-bad", json);

        Assert.Equal(HttpStatusCode.BadRequest, put.Status);
        Assert.Equal("INVALID", Code(put));
        Assert.Contains(expected, Message(put), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "policies/adm-bad")).Status);
    }

    [Fact]
    public async Task LocksArePutListedAndDeleted()
    {
        var put = await SendAsync(HttpMethod.Put, "locks?target=adm-lock/app:v1", """{"noWrite":true}""");
        var empty = await SendAsync(HttpMethod.Put, "locks?target=adm-lock/app", "{}");
        var badTarget = await SendAsync(HttpMethod.Put, "locks?target=Adm/App", """{"noDelete":true}""");
        var list = await SendAsync(HttpMethod.Get, "locks");

        Assert.Equal(HttpStatusCode.OK, put.Status);
        Assert.Equal((true, false), (put.Body.GetProperty("noWrite").GetBoolean(), put.Body.GetProperty("noDelete").GetBoolean()));
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (empty.Status, badTarget.Status));
        Assert.StartsWith("noWrite, noDelete:", Message(empty), StringComparison.Ordinal);
        Assert.StartsWith("target: 'Adm/App' does not start with a repository name", Message(badTarget), StringComparison.Ordinal);
        Assert.Contains(list.Body.GetProperty("items").EnumerateArray(), l => l.GetProperty("target").GetString() == "adm-lock/app:v1" && l.GetProperty("noWrite").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "locks?target=adm-lock/app:v1")).Status);
        var again = await SendAsync(HttpMethod.Delete, "locks?target=adm-lock/app:v1");
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
        Assert.Equal("adm-lock/app:v1 is not locked; 'policy list' shows the locks.", Message(again));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Delete, "locks")).Status);
    }

    [Fact]
    public async Task ExplainSaysWhatAppliesAndWhatRetentionWouldDeleteNow()
    {
        var old = await SeedOldAndLatestAsync("adm-ex/app", "adm-ex");
        await SendAsync(HttpMethod.Put, "locks?target=adm-ex/app:latest", """{"noDelete":true}""");

        var repository = await SendAsync(HttpMethod.Get, "policy-explanation?repository=adm-ex/app");
        var tag = await SendAsync(HttpMethod.Get, "policy-explanation?repository=adm-ex/app:old");
        var none = await SendAsync(HttpMethod.Get, "policy-explanation?repository=adm-none/app");

        Assert.Equal(HttpStatusCode.OK, repository.Status);
        Assert.Equal(
            ["retention 'adm-ex' (adm-ex/**): of tags ** keeps those matching latest, deletes the rest.", "lock on adm-ex/app:latest: blocks deletes."],
            repository.Body.GetProperty("applies").EnumerateArray().Select(a => a.GetProperty("explanation").GetString()));
        var verdicts = repository.Body.GetProperty("retention").GetProperty("verdicts").EnumerateArray().ToList();
        Assert.Equal([("old", old), (null, old)], verdicts.Select(v => (v.TryGetProperty("tag", out var t) ? t.GetString() : null, v.GetProperty("digest").GetString())));
        Assert.All(verdicts, v => Assert.True(v.GetProperty("deleted").GetBoolean()));
        Assert.Equal(["retention"], tag.Body.GetProperty("applies").EnumerateArray().Select(a => a.GetProperty("kind").GetString()));
        Assert.Equal("old", Assert.Single(tag.Body.GetProperty("retention").GetProperty("verdicts").EnumerateArray()).GetProperty("tag").GetString());
        Assert.Empty(none.Body.GetProperty("applies").EnumerateArray());
        Assert.False(none.Body.TryGetProperty("retention", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Get, "policy-explanation")).Status);
    }

    [Fact]
    public async Task RetentionRunsDryThenForRealAndThenFindsNothing()
    {
        const string repository = "adm-run/app";
        var old = await SeedOldAndLatestAsync(repository, "adm-run");
        var before = await registry.SnapshotAsync(repository);

        var dry = await SendAsync(HttpMethod.Post, "retention/run", """{"dryRun":true,"repository":"adm-run/app"}""");
        var unchanged = await registry.SnapshotAsync(repository);
        var run = await SendAsync(HttpMethod.Post, "retention/run", """{"repository":"adm-run/app"}""");
        var again = await SendAsync(HttpMethod.Post, "retention/run", """{"repository":"adm-run/app"}""");

        Assert.Equal(HttpStatusCode.OK, dry.Status);
        Assert.Equal(before, unchanged);
        Assert.True(dry.Body.GetProperty("dryRun").GetBoolean());
        Assert.Equal((1, 1), (dry.Body.GetProperty("tagsDeleted").GetInt64(), dry.Body.GetProperty("manifestsDeleted").GetInt64()));
        var tag = dry.Body.GetProperty("deleted").EnumerateArray().First();
        Assert.Equal(("old", "adm-run"), (tag.GetProperty("tag").GetString(), tag.GetProperty("rule").GetString()));
        Assert.StartsWith("matches none of 'latest'", tag.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("would delete 1 tags and 1 manifests of 2 tags in 1 repositories", dry.Body.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, run.Body.GetProperty("deleted").GetArrayLength());
        Assert.False(await registry.ExistsAsync(repository, StorageLayout.ManifestKey(old)));
        Assert.True(await registry.ExistsAsync(repository, StorageLayout.TagKey("latest")));
        Assert.Equal(0, again.Body.GetProperty("deleted").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(HttpMethod.Post, "retention/run", """{"repository":"Bad Name"}""")).Status);
    }

    [Fact]
    public async Task QuotasAreReconciledDryAndForReal()
    {
        await SendAsync(HttpMethod.Put, "policies/adm-recount", """{"kind":"quota","repositories":"adm-recount/*","limitBytes":10240}""");
        await SetCounterAsync("adm-recount", 5_000);

        var dry = await SendAsync(HttpMethod.Post, "quotas/reconcile", """{"dryRun":true}""");
        var afterDry = await CounterAsync("adm-recount");
        var run = await SendAsync(HttpMethod.Post, "quotas/reconcile", "{}");

        var drift = dry.Body.GetProperty("quotas").EnumerateArray().Single(q => q.GetProperty("name").GetString() == "adm-recount");
        Assert.Equal((5_000L, 0L, 5_000L), (drift.GetProperty("countedBytes").GetInt64(), drift.GetProperty("actualBytes").GetInt64(), drift.GetProperty("driftBytes").GetInt64()));
        Assert.Equal(5_000, afterDry);
        Assert.False(run.Body.GetProperty("dryRun").GetBoolean());
        Assert.Equal(0, await CounterAsync("adm-recount"));
        await SendAsync(HttpMethod.Delete, "policies/adm-recount");
    }

    /// <summary>A repository with "old" (pushed and pulled 60 days ago) and "latest", and a rule keeping only latest; returns old's digest.</summary>
    private async Task<string> SeedOldAndLatestAsync(string repository, string rule)
    {
        var old = await registry.PushAsync(repository, null, "old");
        await registry.PullAsync(repository, old);
        registry.Clock.Advance(TimeSpan.FromDays(60));
        await registry.PushAsync(repository, null, "latest");
        var put = await SendAsync(HttpMethod.Put, "policies/" + rule, $$"""{"kind":"retention","repositories":"{{repository.Split('/')[0]}}/**","keepMatching":["latest"]}""");
        Assert.Equal(HttpStatusCode.Created, put.Status);
        return old;
    }

    private async Task SetCounterAsync(string quota, long bytes)
    {
        var storage = registry.Storage;
        await storage.Metadata.ExecuteAsync(PolicyLayout.Table(storage.Layout), RowOperation.Upsert(new QuotaTotalRow(bytes, null, 0).ToRow(quota)), default);
    }

    private async Task<long> CounterAsync(string quota) =>
        (await registry.Server.Services.GetRequiredService<QuotaLedger>().ReadAsync(new QuotaRule(quota, "x", 1), default)).UsedBytes;

    private sealed record Reply(HttpStatusCode Status, JsonElement Body);

    private static string Message(Reply reply) => reply.Body.GetProperty("errors")[0].GetProperty("message").GetString()!;

    private static string Code(Reply reply) => reply.Body.GetProperty("errors")[0].GetProperty("code").GetString()!;

    /// <summary>One admin call (path under /api/admin/v1/) with a JSON body or none; the answer's status and JSON (undefined when empty).</summary>
    private async Task<Reply> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, "api/admin/v1/" + path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await registry.Server.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Reply(response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }
}
