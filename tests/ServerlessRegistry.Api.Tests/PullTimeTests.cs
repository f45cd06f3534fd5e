using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>
/// A manifest GET is a pull: its time is recorded for retention and eviction, at most once a day per manifest, whether
/// the pull names a tag or the digest. HEAD is not a pull.
/// </summary>
public sealed class PullTimeTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task PullsByTagAndByDigestRecordOneTimeForTheDayAndHeadRecordsNone()
    {
        var client = fixture.Client;
        var recorder = fixture.Server.Services.GetRequiredService<PullRecorder>();
        var (_, digest) = await client.PushImageAsync("pulls/app", "v1");
        var (_, headOnly) = await client.PushImageAsync("pulls/app", "v2");
        var before = DateTimeOffset.UtcNow;
        var writes = recorder.Writes;

        using (var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/pulls/app/manifests/v2")))
        {
            head.EnsureSuccessStatusCode();
        }

        foreach (var reference in new[] { "v1", digest, "v1", digest })
        {
            (await client.GetAsync($"/v2/pulls/app/manifests/{reference}")).EnsureSuccessStatusCode();
        }

        await recorder.WhenIdleAsync();
        var pulled = await recorder.ReadAsync("pulls/app", CancellationToken.None);
        Assert.Equal([digest], pulled.Keys);
        Assert.InRange(pulled[digest], before.AddSeconds(-5), DateTimeOffset.UtcNow);
        Assert.False(pulled.ContainsKey(headOnly));
        Assert.Equal(writes + 1, recorder.Writes);
    }
}
