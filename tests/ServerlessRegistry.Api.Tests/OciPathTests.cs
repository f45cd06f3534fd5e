using ServerlessRegistry.Api;

namespace ServerlessRegistry.Api.Tests;

/// <summary>How a path after /v2/ splits into resource, repository and argument, recognised from the end.</summary>
public sealed class OciPathTests
{
    [Theory]
    [InlineData("", "Base", "", "")]
    [InlineData("_catalog", "Catalog", "", "")]
    [InlineData("app/tags/list", "Tags", "app", "")]
    [InlineData("team/app/tags/list", "Tags", "team/app", "")]
    [InlineData("a/b/c/d/tags/list", "Tags", "a/b/c/d", "")]
    [InlineData("app/manifests/latest", "Manifest", "app", "latest")]
    [InlineData("app/manifests/sha256:abc", "Manifest", "app", "sha256:abc")]
    [InlineData("app/blobs/sha256:abc", "Blob", "app", "sha256:abc")]
    [InlineData("app/blobs/uploads/", "Uploads", "app", "")]
    [InlineData("app/blobs/uploads", "Uploads", "app", "")]
    [InlineData("app/blobs/uploads/3f2a", "Upload", "app", "3f2a")]
    [InlineData("app/referrers/sha256:abc", "Referrers", "app", "sha256:abc")]
    [InlineData("x/blobs/manifests/v1", "Manifest", "x/blobs", "v1")]
    [InlineData("x/manifests/blobs/sha256:abc", "Blob", "x/manifests", "sha256:abc")]
    [InlineData("tags/tags/list", "Tags", "tags", "")]
    [InlineData("blobs/blobs/uploads/", "Uploads", "blobs", "")]
    [InlineData("_catalog/tags/list", "Tags", "_catalog", "")]
    public void ParsesResourceRepositoryAndArgument(string path, string resource, string repository, string argument)
    {
        Assert.True(OciPath.TryParse(path, out var parsed));
        Assert.Equal(new OciPath(Enum.Parse<OciResource>(resource), repository, argument), parsed);
    }

    [Theory]
    [InlineData("app")]
    [InlineData("app/")]
    [InlineData("tags/list")]
    [InlineData("/tags/list")]
    [InlineData("app/tags")]
    [InlineData("app/tags/other")]
    [InlineData("app/manifests/")]
    [InlineData("app/blobs/")]
    [InlineData("app/referrers/")]
    [InlineData("manifests/latest")]
    [InlineData("blobs/uploads/")]
    [InlineData("app/unknown/thing")]
    [InlineData("_catalog/")]
    public void RejectsPathsThatNameNoResource(string path) =>
        Assert.False(OciPath.TryParse(path, out _));
}
