using System.Text;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// A crash between two writes leaves the old state or the new one, plus at worst unreferenced content: never a
/// link, tag or manifest that points at something missing. Each test crashes one write, then checks what
/// readers see and that a retry completes.
/// </summary>
public sealed class CrashOrderingTests
{
    [Theory]
    [InlineData("blobs")]
    [InlineData("repos")]
    public async Task UploadCrashingAfterCommitLeavesNoLinkAndARetrySucceeds(string crashingTable)
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var content = OciHttp.RandomBytes(4000);
        var digest = Primitives.Digest.FromHash(DigestAlgorithm.Sha256, System.Security.Cryptography.SHA256.HashData(content));
        faulty!.FailWhen = (table, _) => table.EndsWith(crashingTable, StringComparison.Ordinal);

        await Assert.ThrowsAsync<StorageException>(() => harness.Uploads.UploadMonolithicAsync("crash/blob", digest, new MemoryStream(content), content.Length, CancellationToken.None));
        Assert.Null(await harness.Blobs.FindAsync("crash/blob", digest.Value, CancellationToken.None));

        faulty.FailWhen = (_, _) => false;
        await harness.Uploads.UploadMonolithicAsync("crash/blob", digest, new MemoryStream(content), content.Length, CancellationToken.None);
        Assert.Equal(content, await harness.ReadThroughRedirectAsync("crash/blob", digest.Value));
    }

    [Fact]
    public async Task ManifestPushCrashingBeforeItsBatchLeavesNoTagAndNoManifest()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var config = await PushAsync(harness, "crash/man", "{}"u8.ToArray());
        var layer = await PushAsync(harness, "crash/man", OciHttp.RandomBytes(100));
        var manifest = OciHttp.ImageManifest(config.Digest, config.Size, layer.Digest, layer.Size);
        var tag = ManifestReference.Parse("v1");
        faulty!.FailWhen = (table, operations) => table.EndsWith("repos", StringComparison.Ordinal) && operations.Count > 1;

        await Assert.ThrowsAsync<StorageException>(() => harness.Manifests.PutAsync("crash/man", tag, manifest, OciHttp.OciManifest, [], CancellationToken.None));
        var missing = await Assert.ThrowsAsync<RegistryException>(() => harness.Manifests.GetAsync("crash/man", tag, true, CancellationToken.None));
        Assert.Equal(ErrorKind.ManifestUnknown, missing.Kind);
        var tags = await Assert.ThrowsAsync<RegistryException>(() => harness.Catalog.ListTagsAsync("crash/man", null, null, CancellationToken.None));
        Assert.Equal(ErrorKind.NameUnknown, tags.Kind);

        faulty.FailWhen = (_, _) => false;
        await harness.Manifests.PutAsync("crash/man", tag, manifest, OciHttp.OciManifest, [], CancellationToken.None);
        Assert.Equal(manifest, (await harness.Manifests.GetAsync("crash/man", tag, true, CancellationToken.None)).Bytes);
    }

    [Fact]
    public async Task ManifestPushFailingInItsBatchLeavesNoCatalogEntry()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = await RegistryHarness.StartAsync(inner => faulty = new FaultyMetadataStore(inner));
        var index = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{OciHttp.OciIndex}\",\"manifests\":[]}}");
        faulty!.FailWhen = (table, operations) => table.EndsWith("repos", StringComparison.Ordinal) && operations.Count > 1;

        await Assert.ThrowsAsync<StorageException>(() => harness.Manifests.PutAsync("crash/listed", ManifestReference.Parse("v1"), index, OciHttp.OciIndex, [], CancellationToken.None));
        var catalog = new CatalogService(harness.Storage);
        Assert.DoesNotContain("crash/listed", (await catalog.ListRepositoriesAsync(null, null, CancellationToken.None)).Names);

        faulty.FailWhen = (_, _) => false;
        await harness.Manifests.PutAsync("crash/listed", ManifestReference.Parse("v1"), index, OciHttp.OciIndex, [], CancellationToken.None);
        Assert.Contains("crash/listed", (await catalog.ListRepositoriesAsync(null, null, CancellationToken.None)).Names);
    }

    [Fact]
    public async Task ManifestDeleteCrashingAfterItsTagsLeavesTheManifestReadableByDigest()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var config = await PushAsync(harness, "crash/del", Encoding.UTF8.GetBytes("{\"a\":1}"));
        var layer = await PushAsync(harness, "crash/del", OciHttp.RandomBytes(50));
        var manifest = OciHttp.ImageManifest(config.Digest, config.Size, layer.Digest, layer.Size);
        var put = await harness.Manifests.PutAsync("crash/del", ManifestReference.Parse("v1"), manifest, OciHttp.OciManifest, [], CancellationToken.None);
        var byDigest = ManifestReference.Parse(put.Digest);

        // Tags go first; crash on the batch that removes the manifest row itself.
        faulty!.FailWhen = (table, operations) => table.EndsWith("repos", StringComparison.Ordinal) && operations.Any(o => o.Row.RowKey.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal));
        await Assert.ThrowsAsync<StorageException>(() => harness.Manifests.DeleteAsync("crash/del", byDigest, CancellationToken.None));
        Assert.Empty((await harness.Catalog.ListTagsAsync("crash/del", null, null, CancellationToken.None)).Names);
        Assert.Equal(manifest, (await harness.Manifests.GetAsync("crash/del", byDigest, true, CancellationToken.None)).Bytes);

        faulty.FailWhen = (_, _) => false;
        await harness.Manifests.DeleteAsync("crash/del", byDigest, CancellationToken.None);
        await Assert.ThrowsAsync<RegistryException>(() => harness.Manifests.GetAsync("crash/del", byDigest, false, CancellationToken.None));
    }

    private static async Task<BlobInfo> PushAsync(RegistryHarness harness, string repository, byte[] content)
    {
        var digest = Primitives.Digest.FromHash(DigestAlgorithm.Sha256, System.Security.Cryptography.SHA256.HashData(content));
        return await harness.Uploads.UploadMonolithicAsync(repository, digest, new MemoryStream(content), content.Length, CancellationToken.None);
    }
}
