using Microsoft.Extensions.Logging.Abstractions;
using ServerlessRegistry.Mirror.Upstream;
using ServerlessRegistry.Testing;
using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>CNCF distribution with filesystem storage, anonymous, holding one image under three tags; started once per class.</summary>
public sealed class DistributionFixture : IAsyncLifetime
{
    public DistributionUpstream Upstream { get; private set; } = null!;
    public byte[] Manifest { get; private set; } = [];
    public string ManifestDigest { get; private set; } = "";
    public byte[] Layer { get; private set; } = [];
    public string LayerDigest { get; private set; } = "";
    public const string Repository = "team/app";

    public async Task InitializeAsync()
    {
        Upstream = await DistributionUpstream.StartAsync();
        (Manifest, ManifestDigest) = await Upstream.PushImageAsync(Repository, "v1");
        using var v2 = await Upstream.Client.PutManifestAsync(Repository, "v2", Manifest);
        using var latest = await Upstream.Client.PutManifestAsync(Repository, "latest", Manifest);
        Layer = OciHttp.RandomBytes(70_000);
        LayerDigest = await Upstream.PushBlobAsync(Repository, Layer);
    }

    public async Task DisposeAsync() => await Upstream.DisposeAsync();
}

public sealed class UpstreamDistributionTests(DistributionFixture fixture) : IClassFixture<DistributionFixture>, IDisposable
{
    private readonly UpstreamClient _client = new(NullLogger<UpstreamClient>.Instance, TimeProvider.System);

    private UpstreamTarget Target => new(TestRules.Prefix(fixture.Upstream.BaseAddress), DistributionFixture.Repository);

    [Fact]
    public async Task HeadManifestByTagDescribesIt()
    {
        var head = await _client.HeadManifestAsync(Target, "v1", default);

        Assert.NotNull(head);
        Assert.Equal(fixture.ManifestDigest, head.Digest);
        Assert.Equal(OciHttp.OciManifest, head.MediaType);
        Assert.Equal(fixture.Manifest.Length, head.Size);
    }

    [Fact]
    public async Task GetManifestByTagAndByDigestReturnsTheBytesVerbatim()
    {
        var byTag = await _client.GetManifestAsync(Target, "latest", default);
        var byDigest = await _client.GetManifestAsync(Target, fixture.ManifestDigest, default);

        Assert.NotNull(byTag);
        Assert.NotNull(byDigest);
        Assert.Equal(fixture.Manifest, byTag.Bytes);
        Assert.Equal(fixture.Manifest, byDigest.Bytes);
        Assert.Equal(OciHttp.OciManifest, byTag.MediaType);
        Assert.Equal(fixture.ManifestDigest, byTag.Digest);
    }

    [Fact]
    public async Task HeadBlobDescribesIt()
    {
        var head = await _client.HeadBlobAsync(Target, fixture.LayerDigest, default);

        Assert.NotNull(head);
        Assert.Equal(fixture.LayerDigest, head.Digest);
        Assert.Equal(fixture.Layer.Length, head.Size);
    }

    [Fact]
    public async Task GetBlobReturnsTheResponseWithTheBytes()
    {
        using var blob = await _client.GetBlobAsync(Target, fixture.LayerDigest, default);

        Assert.NotNull(blob);
        Assert.Null(blob.Redirect);
        Assert.NotNull(blob.Response);
        Assert.Equal(fixture.Layer, await blob.Response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task AbsentManifestsAndBlobsAreNull()
    {
        var missing = "sha256:" + new string('0', 64);

        Assert.Null(await _client.HeadManifestAsync(Target, "no-such-tag", default));
        Assert.Null(await _client.GetManifestAsync(Target, missing, default));
        Assert.Null(await _client.HeadBlobAsync(Target, missing, default));
        Assert.Null(await _client.GetBlobAsync(Target, missing, default));
        Assert.Null(await _client.GetManifestAsync(Target with { Repository = "team/absent" }, "v1", default));
    }

    [Fact]
    public async Task ListTagsReturnsEveryTag()
    {
        var tags = await _client.ListTagsAsync(Target, default);

        Assert.Equal(["latest", "v1", "v2"], tags.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CheckFindsAnonymousAccess()
    {
        var check = await _client.CheckAsync(Target.Rule, default);

        Assert.Equal(new UpstreamCheck(true, true, "reachable, anonymous access"), check);
    }

    [Fact]
    public async Task EveryRequestIsCounted()
    {
        var before = _client.RequestsSent;
        await _client.HeadManifestAsync(Target, "v1", default);
        await _client.HeadBlobAsync(Target, fixture.LayerDigest, default);

        Assert.Equal(before + 2, _client.RequestsSent);
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>Cache rules as the tests need them, parsed by the real parser.</summary>
internal static class TestRules
{
    public static CacheRule Prefix(Uri upstream, string? username = null, string? password = null, TimeSpan? timeout = null, string local = "up") =>
        CacheRules.Parse([new CacheRuleSettings
        {
            Local = local + "/*",
            Upstream = upstream.GetLeftPart(UriPartial.Authority) + "/*",
            Username = username,
            Password = password,
            Timeout = timeout ?? TimeSpan.FromSeconds(10),
        }]).All[0];

    public static CacheRule Exact(Uri upstream, string repository, string? username = null, string? password = null) =>
        CacheRules.Parse([new CacheRuleSettings
        {
            Local = "exact/" + repository.Replace('/', '-'),
            Upstream = upstream.GetLeftPart(UriPartial.Authority) + "/" + repository,
            Username = username,
            Password = password,
        }]).All[0];
}
