using System.Net;
using System.Text;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// Pre-fetch keeps configured images warm: every platform of the upstream tags that match, with their content, so they
/// pull with the upstream gone. The command reports progress and its result.
/// </summary>
public sealed class MirrorPrefetchTests
{
    [Fact]
    public async Task PrefetchWarmsEveryPlatformOfTheMatchingTagsAndTheyPullWithTheUpstreamStopped()
    {
        var upstream = await RegistryServer.StartAsync();
        var amd64 = await upstream.Client.PushImageAsync("team/base", "3.1-amd64");
        var arm64 = await upstream.Client.PushImageAsync("team/base", "3.1-arm64");
        var index = Index(amd64, arm64);
        using (var put = await upstream.Client.PutManifestAsync("team/base", "3.1", index, OciHttp.OciIndex))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await upstream.Client.PushImageAsync("team/base", "4.0");
        var mirrorSettings = new Dictionary<string, string?>
        {
            ["Mirror:Rules:0:Local"] = "up/*",
            ["Mirror:Rules:0:Upstream"] = $"http://{upstream.HostPort}/*",
            ["Mirror:Prefetch:0:Repository"] = "up/team/base",
            ["Mirror:Prefetch:0:Tags:0"] = "3.1",
            ["Mirror:Prefetch:0:Tags:1"] = "*-arm64",
        };
        await using var mirror = await RegistryServer.StartAsync(mirrorSettings);
        var azurite = await Azurite.GetAsync();
        var args = azurite.RegistrySettings(mirror.Prefix).Concat(mirrorSettings).Select(kv => $"--{kv.Key}={kv.Value}").ToArray();

        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await RegistryCli.RunAsync(["mirror", "prefetch", .. args], output, error);

        Assert.True(code == 0, output.ToString() + error);
        Assert.Contains("up/team/base:3.1 warm", error.ToString());
        Assert.Contains("up/team/base:3.1-arm64 warm", error.ToString());
        Assert.DoesNotContain("4.0", error.ToString());
        // 3.1 (an index of two images: 3 manifests, 3 blobs as both share one config) and 3.1-arm64 (already warm through the index).
        Assert.StartsWith("prefetch: 2 images warm (4 manifests), 3 blobs fetched", output.ToString());

        await upstream.DisposeAsync();
        Assert.Equal(index, await mirror.Client.GetByteArrayAsync("/v2/up/team/base/manifests/3.1"));
        foreach (var (manifest, _) in new[] { amd64, arm64 })
        {
            foreach (var digest in BlobsOf(manifest))
            {
                using var blob = await mirror.Client.GetAsync($"/v2/up/team/base/blobs/{digest}");
                Assert.Equal(HttpStatusCode.TemporaryRedirect, blob.StatusCode);
                Assert.Equal(azurite.BlobEndpoint.Authority, blob.Headers.Location!.Authority);
            }
        }

        using var notWarm = await mirror.Client.GetAsync("/v2/up/team/base/manifests/4.0");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notWarm.StatusCode);

        // A second run finds everything warm: nothing fetched, and with the upstream down it says so and fails.
        using var again = new StringWriter();
        Assert.Equal(1, await RegistryCli.RunAsync(["mirror", "prefetch", .. args], again, new StringWriter()));
        Assert.Contains("1 failed: up/team/base:", again.ToString());
    }

    [Theory]
    [InlineData("3.*", "3.20", true)]
    [InlineData("3.*", "3", false)]
    [InlineData("*-alpine", "1.27-alpine", true)]
    [InlineData("*-alpine", "1.27-alpine3.20", false)]
    [InlineData("latest", "latest", true)]
    [InlineData("latest", "latest2", false)]
    [InlineData("*", "anything", true)]
    [InlineData("1.*.*", "1.2.3", true)]
    [InlineData("1.*.*", "1.2", false)]
    public void TagPatternsMatchWholeTagsWithStarsForAnyRun(string pattern, string tag, bool matches) =>
        Assert.Equal(matches, TagPattern.Matches(pattern, tag));

    private static byte[] Index(params (byte[] Manifest, string Digest)[] images)
    {
        var entries = images.Select((m, i) =>
            $"{{\"mediaType\":\"{OciHttp.OciManifest}\",\"digest\":\"{m.Digest}\",\"size\":{m.Manifest.Length},\"platform\":{{\"architecture\":\"{(i == 0 ? "amd64" : "arm64")}\",\"os\":\"linux\"}}}}");
        return Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{OciHttp.OciIndex}\",\"manifests\":[{string.Join(',', entries)}]}}");
    }

    private static IEnumerable<string> BlobsOf(byte[] manifest)
    {
        using var json = System.Text.Json.JsonDocument.Parse(manifest);
        yield return json.RootElement.GetProperty("config").GetProperty("digest").GetString()!;
        foreach (var layer in json.RootElement.GetProperty("layers").EnumerateArray())
        {
            yield return layer.GetProperty("digest").GetString()!;
        }
    }
}
