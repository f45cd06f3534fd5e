using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Mirror.Fill;
using ServerlessRegistry.Mirror.Upstream;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// The pull-through cache end to end, through the registry's own HTTP API, with the clients people use: skopeo (an
/// index with every platform), podman with a registries.conf mirror, and containerd's ?ns= requests. Upstreams are a
/// second instance of this registry (blob GETs redirect to storage: the background fill) and CNCF distribution (it
/// serves the bytes: the stream-through fill).
/// </summary>
public sealed class MirrorClientTests
{
    internal static Task<RegistryServer> StartMirrorAsync(string upstreamHostPort, string? ns = null, Action<IServiceCollection>? services = null,
        IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Mirror:Rules:0:Local"] = "up/*",
            ["Mirror:Rules:0:Upstream"] = "http://" + upstreamHostPort + "/*",
            ["Mirror:Rules:0:Timeout"] = "00:00:05",
            ["Mirror:Rules:0:Namespace"] = ns,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return RegistryServer.StartAsync(settings, services);
    }

    internal static long UpstreamCalls(RegistryServer mirror) => ((UpstreamClient)mirror.Services.GetRequiredService<IUpstreamRegistry>()).RequestsSent;

    internal static Task WhenFilledAsync(RegistryServer mirror) => mirror.Services.GetRequiredService<FillJobs>().WhenIdleAsync();

    /// <summary>Two platforms, one gzip layer each, under an index tagged v1.</summary>
    internal static (OciLayoutBuilder Layout, OciDescriptor Index, IReadOnlyList<OciImage> Images) MultiArchLayout(string directory, int layerSize = 4096)
    {
        var layout = new OciLayoutBuilder(directory);
        var amd64 = layout.AddImage("linux", "amd64", ("amd64.bin", OciHttp.RandomBytes(layerSize), true));
        var arm64 = layout.AddImage("linux", "arm64", ("arm64.bin", OciHttp.RandomBytes(layerSize), true));
        var index = layout.AddIndex([amd64.Manifest, arm64.Manifest]);
        layout.Tag(index, "v1");
        return (layout, index, [amd64, arm64]);
    }

    /// <summary>Every blob of <paramref name="expected"/> (manifests included) is in <paramref name="actualDirectory"/> with the same bytes.</summary>
    internal static void AssertSameBlobs(OciLayoutBuilder expected, string actualDirectory)
    {
        var want = Directory.GetFiles(expected.BlobDirectory).Select(Path.GetFileName).Order().ToList();
        var got = Directory.GetFiles(Path.Combine(actualDirectory, "blobs", "sha256")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(want, got);
        foreach (var name in want)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(expected.BlobDirectory, name!)), File.ReadAllBytes(Path.Combine(actualDirectory, "blobs", "sha256", name!)));
        }
    }

    /// <summary>A blob GET answered by the registry with a 307 into its own storage (its prefix), not the upstream's.</summary>
    internal static async Task AssertServedFromOwnStorageAsync(RegistryServer mirror, string repository, string digest)
    {
        using var get = await mirror.Client.GetAsync($"/v2/{repository}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, get.StatusCode);
        Assert.Contains(mirror.Prefix, get.Headers.Location!.AbsoluteUri, StringComparison.Ordinal);
        using var storage = new HttpClient();
        Assert.Equal(digest, OciHttp.Sha256(await storage.GetByteArrayAsync(get.Headers.Location)));
    }

    [Fact]
    public async Task SkopeoCopiesAnIndexThroughTheCacheAndTheSecondCopyComesFromOwnStorage()
    {
        using var sandbox = new ContainersSandbox();
        var skopeo = new Skopeo(sandbox);
        var (source, index, images) = MultiArchLayout(Path.Combine(sandbox.Root, "src"));
        await using var upstream = await RegistryServer.StartAsync();
        await skopeo.CopyAsync(source.Reference("v1"), $"docker://{upstream.HostPort}/team/multi:v1", "--all");
        await using var mirror = await StartMirrorAsync(upstream.HostPort);

        var first = Path.Combine(sandbox.Root, "first");
        await skopeo.CopyAsync($"docker://{mirror.HostPort}/up/team/multi:v1", $"oci:{first}:v1", "--all");
        AssertSameBlobs(source, first);
        Assert.Equal(File.ReadAllBytes(source.BlobPath(index.Digest)), await skopeo.InspectRawAsync($"docker://{mirror.HostPort}/up/team/multi:v1"));

        await WhenFilledAsync(mirror);
        var calls = UpstreamCalls(mirror);
        var second = Path.Combine(sandbox.Root, "second");
        await skopeo.CopyAsync($"docker://{mirror.HostPort}/up/team/multi:v1", $"oci:{second}:v1", "--all");
        AssertSameBlobs(source, second);
        Assert.Equal(calls, UpstreamCalls(mirror));
        foreach (var digest in images.SelectMany(i => i.Layers.Append(i.Config)).Select(d => d.Digest))
        {
            await AssertServedFromOwnStorageAsync(mirror, "up/team/multi", digest);
        }
    }

    [Fact]
    public async Task SkopeoCopiesFromDistributionThroughTheCacheAndStillDoesWithDistributionStopped()
    {
        using var sandbox = new ContainersSandbox();
        var skopeo = new Skopeo(sandbox);
        var (source, index, images) = MultiArchLayout(Path.Combine(sandbox.Root, "src"));
        var distribution = await DistributionUpstream.StartAsync();
        try
        {
            await skopeo.CopyAsync(source.Reference("v1"), $"docker://{distribution.HostPort}/team/multi:v1", "--all");
            // A zero interval makes every pull by tag ask the upstream first, so the second half proves the fallback.
            await using var mirror = await StartMirrorAsync(distribution.HostPort, extra: new Dictionary<string, string?> { ["Mirror:Rules:0:TagCheckInterval"] = "00:00:00" });

            var first = Path.Combine(sandbox.Root, "first");
            await skopeo.CopyAsync($"docker://{mirror.HostPort}/up/team/multi:v1", $"oci:{first}:v1", "--all");
            AssertSameBlobs(source, first);
            await WhenFilledAsync(mirror);

            await distribution.DisposeAsync();
            distribution = null;
            var byTag = Path.Combine(sandbox.Root, "by-tag");
            var byDigest = Path.Combine(sandbox.Root, "by-digest");
            await skopeo.CopyAsync($"docker://{mirror.HostPort}/up/team/multi:v1", $"oci:{byTag}:v1", "--all");
            await skopeo.CopyAsync($"docker://{mirror.HostPort}/up/team/multi@{index.Digest}", $"oci:{byDigest}:v1", "--all");
            AssertSameBlobs(source, byTag);
            AssertSameBlobs(source, byDigest);
            await AssertServedFromOwnStorageAsync(mirror, "up/team/multi", images[0].Layers[0].Digest);
        }
        finally
        {
            if (distribution is not null)
            {
                await distribution.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task PodmanPullsTheUpstreamNameThroughARegistriesConfMirror()
    {
        using var sandbox = new ContainersSandbox();
        var skopeo = new Skopeo(sandbox);
        var (source, _, images) = MultiArchLayout(Path.Combine(sandbox.Root, "src"));
        await using var upstream = await RegistryServer.StartAsync();
        await skopeo.CopyAsync(source.Reference("v1"), $"docker://{upstream.HostPort}/team/app:v1", "--all");
        await using var mirror = await StartMirrorAsync(upstream.HostPort);
        File.WriteAllText(Path.Combine(sandbox.Root, "registries.conf"), $"""
            unqualified-search-registries = []

            [[registry]]
            location = "{upstream.HostPort}"
            insecure = true

            [[registry.mirror]]
            location = "{mirror.HostPort}/up"
            insecure = true

            """);

        await new Podman(sandbox).RunAsync(["pull", "--quiet", "--arch", "amd64", "--signature-policy", sandbox.PolicyPath, $"{upstream.HostPort}/team/app:v1"]);

        Assert.Contains("\"up/team/app\"", await mirror.Client.GetStringAsync("/v2/_catalog"), StringComparison.Ordinal);
        Assert.True(UpstreamCalls(mirror) > 0);
        await WhenFilledAsync(mirror);
        await AssertServedFromOwnStorageAsync(mirror, "up/team/app", images[0].Layers[0].Digest);
    }

    [Fact]
    public async Task ContainerdStyleRequestsWithNamespacePullTheBareUpstreamName()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var (manifest, digest) = await upstream.Client.PushImageAsync("team/app", "1.0", layerSize: 64 * 1024);
        await using var mirror = await StartMirrorAsync(upstream.HostPort, ns: upstream.HostPort);
        var ns = "?ns=" + Uri.EscapeDataString(upstream.HostPort);
        using var client = new HttpClient { BaseAddress = mirror.BaseAddress };

        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/team/app/manifests/1.0" + ns));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(digest, head.Headers.GetValues("Docker-Content-Digest").Single());
        var got = await client.GetByteArrayAsync($"/v2/team/app/manifests/{digest}{ns}");
        Assert.Equal(manifest, got);

        using var json = System.Text.Json.JsonDocument.Parse(got);
        var blobs = json.RootElement.GetProperty("layers").EnumerateArray().Append(json.RootElement.GetProperty("config"))
            .Select(d => d.GetProperty("digest").GetString()!).ToList();
        foreach (var blob in blobs)
        {
            // Redirects followed, as containerd does: the upstream's storage now, ours once filled.
            Assert.Equal(blob, OciHttp.Sha256(await client.GetByteArrayAsync($"/v2/team/app/blobs/{blob}{ns}")));
        }

        await WhenFilledAsync(mirror);
        foreach (var blob in blobs)
        {
            Assert.Equal(blob, OciHttp.Sha256(await client.GetByteArrayAsync($"/v2/team/app/blobs/{blob}{ns}")));
            await AssertServedFromOwnStorageAsync(mirror, "up/team/app", blob);
        }
    }
}
