using System.Text.Json;

namespace ServerlessRegistry.Interop.Tests;

/// <summary>Tags pushed with skopeo are listed over HTTP and by skopeo list-tags; skopeo delete removes them.</summary>
public sealed class TagListAndDeleteTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task ListsEveryPushedTagOverHttpAndWithSkopeo()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var repository = scratch.Repository("tags");
        await PushTwoImagesAsync(scratch, repository);

        Assert.Equal(["latest", "v1", "v2"], (await scratch.Registry.ListTagsAsync(repository)).Order(StringComparer.Ordinal));
        Assert.Equal(["latest", "v1", "v2"], await SkopeoTagsAsync(scratch, repository));
    }

    [Fact]
    public async Task DeletedManifestIsGoneByTagAndDigestAndFromTheTagList()
    {
        using var scratch = new InteropScratch(fixture.Registry);
        var repository = scratch.Repository("delete");
        var (first, second) = await PushTwoImagesAsync(scratch, repository);

        // skopeo delete resolves the tag and deletes the manifest by digest, which untags "v1" and nothing else.
        await scratch.Skopeo.DeleteAsync(scratch.Remote(repository, "v1"));

        await InteropAssert.ManifestGoneAsync(scratch, repository, "v1");
        await InteropAssert.ManifestGoneAsync(scratch, repository, first.Digest);
        Assert.Equal(["latest", "v2"], (await scratch.Registry.ListTagsAsync(repository)).Order(StringComparer.Ordinal));
        Assert.Equal(["latest", "v2"], await SkopeoTagsAsync(scratch, repository));
        await InteropAssert.ManifestServedAsync(scratch, repository, "v2", second);
        await InteropAssert.ManifestServedAsync(scratch, repository, "latest", second);
    }

    /// <summary>Two distinct images: v1 → first, v2 and latest → second.</summary>
    private static async Task<(Testing.OciDescriptor First, Testing.OciDescriptor Second)> PushTwoImagesAsync(InteropScratch scratch, string repository)
    {
        var source = scratch.NewLayout("source");
        var first = source.AddImage("linux", "amd64", ("one.bin", InteropScratch.SmallPayload(), true));
        var second = source.AddImage("linux", "amd64", ("two.bin", InteropScratch.SmallPayload(), true));
        source.Tag(first.Manifest, "v1");
        source.Tag(second.Manifest, "v2");
        await scratch.Skopeo.CopyAsync(source.Reference("v1"), scratch.Remote(repository, "v1"));
        await scratch.Skopeo.CopyAsync(source.Reference("v2"), scratch.Remote(repository, "v2"));
        await scratch.Skopeo.CopyAsync(source.Reference("v2"), scratch.Remote(repository, "latest"));
        return (first.Manifest, second.Manifest);
    }

    private static async Task<IEnumerable<string>> SkopeoTagsAsync(InteropScratch scratch, string repository)
    {
        var output = await scratch.Skopeo.ListTagsAsync($"docker://{scratch.Registry.HostPort}/{repository}");
        using var json = JsonDocument.Parse(output);
        Assert.Equal($"{scratch.Registry.HostPort}/{repository}", json.RootElement.GetProperty("Repository").GetString());
        return json.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal).ToList();
    }
}
