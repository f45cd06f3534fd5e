using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>Immutable tags over raw HTTP and through skopeo: created once, re-pushed to the same digest, never moved or deleted.</summary>
public sealed class ImmutableTagTests(GuardFixture fixture) : IClassFixture<GuardFixture>
{
    private HttpClient Client => fixture.Client;

    /// <summary>A repository under its own immutability rule for tags "v*", with v1 pushed, and a second image under "dev".</summary>
    private async Task<(string Repository, string Rule, byte[] M1, string D1, byte[] M2, string D2)> ReleasesAsync(string stem)
    {
        var repository = GuardFixture.NewName(stem);
        var rule = GuardFixture.NewName("imm");
        await fixture.SetAsync(new ImmutableRule(rule, repository, "v*"));
        var (m1, d1) = await Client.PushImageAsync(repository, "v1");
        var (m2, d2) = await Client.PushImageAsync(repository, "dev");
        return (repository, rule, m1, d1, m2, d2);
    }

    [Fact]
    public async Task ImmutableTagIsCreatedAndRepushedToItsDigestButNeverMoved()
    {
        var (repository, rule, m1, d1, m2, _) = await ReleasesAsync("imm/move");

        using var again = await Client.PutManifestAsync(repository, "v1", m1);
        using var moved = await Client.PutManifestAsync(repository, "v1", m2);
        using var other = await Client.PutManifestAsync(repository, "dev", m1);

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        var message = await GuardFixture.AssertDeniedAsync(moved, $"rule '{rule}'");
        Assert.Contains("tag 'v1'", message, StringComparison.Ordinal);
        Assert.Equal(d1, await fixture.TagDigestAsync(repository, "v1"));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode); // "dev" matches no rule
    }

    [Fact]
    public async Task ImmutableTagCannotBeDeletedByNameOrWithItsManifest()
    {
        var (repository, rule, _, d1, _, _) = await ReleasesAsync("imm/delete");

        using var byTag = await Client.DeleteAsync($"/v2/{repository}/manifests/v1");
        using var byDigest = await Client.DeleteAsync($"/v2/{repository}/manifests/{d1}");

        await GuardFixture.AssertDeniedAsync(byTag, $"rule '{rule}'");
        await GuardFixture.AssertDeniedAsync(byDigest, $"rule '{rule}'");
        Assert.Equal(d1, await fixture.TagDigestAsync(repository, "v1"));
    }

    [Fact]
    public async Task MultiTagPutMovingAnImmutableTagIsRefusedWhole()
    {
        var (repository, rule, _, d1, m2, d2) = await ReleasesAsync("imm/multi");

        using var content = new ByteArrayContent(m2);
        content.Headers.ContentType = new(OciHttp.OciManifest);
        using var response = await Client.PutAsync($"/v2/{repository}/manifests/{d2}?tag=fresh&tag=v1", content);

        await GuardFixture.AssertDeniedAsync(response, $"rule '{rule}'");
        Assert.Null(await fixture.TagDigestAsync(repository, "fresh"));
        Assert.Equal(d1, await fixture.TagDigestAsync(repository, "v1"));
    }

    [Fact]
    public async Task SkopeoCanNeitherCopyOntoNorDeleteAnImmutableTag()
    {
        using var scratch = new SkopeoScratch("one", "two");
        var repository = GuardFixture.NewName("imm/skopeo");
        var rule = GuardFixture.NewName("imm");
        await fixture.SetAsync(new ImmutableRule(rule, repository, "v*"));
        var remote = $"docker://{fixture.Server.HostPort}/{repository}:v1";

        await scratch.Skopeo.CopyAsync(scratch.Layout.Reference("one"), remote);
        await scratch.Skopeo.CopyAsync(scratch.Layout.Reference("one"), remote); // the same digest again: allowed
        var overwrite = await Assert.ThrowsAsync<InvalidOperationException>(() => scratch.Skopeo.CopyAsync(scratch.Layout.Reference("two"), remote));
        var delete = await Assert.ThrowsAsync<InvalidOperationException>(() => scratch.Skopeo.DeleteAsync(remote));

        Assert.Contains(rule, overwrite.Message, StringComparison.Ordinal);
        Assert.Contains("denied", delete.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(scratch.Images[0].Manifest.Digest, await fixture.TagDigestAsync(repository, "v1"));
    }
}
