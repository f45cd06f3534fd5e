using System.Security.Cryptography;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// The final PUT after it claimed its session: a storage failure or a client hang-up from there on must not lose the
/// upload. Either the commit finishes, or the session is back and a retried PUT completes it.
/// </summary>
public sealed class UploadCompletionFaultTests
{
    private const string Repository = "fault/complete";

    [Fact]
    public async Task CommitFailingBeforeTheIndexNamesTheBlobLeavesTheSessionForARetry()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var (id, content) = await StartWithChunkAsync(harness, "alice");
        faulty!.FailWhen = (table, _) => table.EndsWith("blobs", StringComparison.Ordinal);

        await Assert.ThrowsAsync<StorageException>(() => harness.Uploads.CompleteAsync(Repository, id, "alice", Sha256(content), Stream.Null, null, null, CancellationToken.None));

        faulty.FailWhen = (_, _) => false;
        var blob = await harness.Uploads.CompleteAsync(Repository, id, "alice", Sha256(content), Stream.Null, null, null, CancellationToken.None);
        Assert.Equal(content, await harness.ReadThroughRedirectAsync(Repository, blob.Digest));
    }

    [Fact]
    public async Task CommitFailingAfterTheIndexNamesTheBlobDoesNotReopenTheSession()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var (id, content) = await StartWithChunkAsync(harness, "alice");
        faulty!.FailWhen = (table, _) => table.EndsWith("repos", StringComparison.Ordinal);

        await Assert.ThrowsAsync<StorageException>(() => harness.Uploads.CompleteAsync(Repository, id, "alice", Sha256(content), Stream.Null, null, null, CancellationToken.None));

        faulty.FailWhen = (_, _) => false;
        var gone = await Assert.ThrowsAsync<RegistryException>(() => harness.Uploads.GetStatusAsync(Repository, id, "alice", CancellationToken.None));
        Assert.Equal(ErrorKind.BlobUploadUnknown, gone.Kind);
    }

    [Fact]
    public async Task FailingToForgetTheSessionInTheOwnersIndexStillCompletesTheUpload()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var (id, content) = await StartWithChunkAsync(harness, "alice");
        var ownerIndex = StorageLayout.UploadOwnerKey("alice");
        faulty!.FailWhen = (table, operations) => table.EndsWith("uploads", StringComparison.Ordinal) && operations.Any(o => o.Row.PartitionKey == ownerIndex);

        var blob = await harness.Uploads.CompleteAsync(Repository, id, "alice", Sha256(content), Stream.Null, null, null, CancellationToken.None);

        faulty.FailWhen = (_, _) => false;
        Assert.Equal(content, await harness.ReadThroughRedirectAsync(Repository, blob.Digest));
    }

    [Fact]
    public async Task ClientHangingUpAfterTheClaimStillCompletesTheUpload()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var (id, content) = await StartWithChunkAsync(harness, "alice");
        using var hangUp = new CancellationTokenSource();
        // The claim has deleted the session row when the commit writes the blob index; the client goes away then.
        faulty!.FailWhen = (table, _) =>
        {
            if (table.EndsWith("blobs", StringComparison.Ordinal))
            {
                hangUp.Cancel();
            }

            return false;
        };

        await harness.Uploads.CompleteAsync(Repository, id, "alice", Sha256(content), Stream.Null, null, null, hangUp.Token);

        Assert.True(hangUp.IsCancellationRequested);
        Assert.Equal(content, await harness.ReadThroughRedirectAsync(Repository, Sha256(content).Value));
    }

    [Fact]
    public async Task RestoreFailingAfterAnOtherAlgorithmMismatchStillReportsTheMismatch()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var (id, _) = await StartWithChunkAsync(harness, "alice");
        faulty!.FailWhen = (table, operations) => table.EndsWith("uploads", StringComparison.Ordinal) && operations.Any(o => o.Row.PartitionKey == id && o.Kind == RowOperationKind.Insert);

        var refused = await Assert.ThrowsAsync<RegistryException>(() => harness.Uploads.CompleteAsync(Repository, id, "alice", Sha512(OciHttp.RandomBytes(10)), Stream.Null, null, null, CancellationToken.None));

        Assert.Equal(ErrorKind.DigestInvalid, refused.Kind);
    }

    [Fact]
    public async Task OtherAlgorithmCommitFailingBeforeTheIndexNamesTheBlobLeavesTheSessionForARetry()
    {
        FaultyMetadataStore? faulty = null;
        await using var harness = RegistryHarness.InMemory(inner => faulty = new FaultyMetadataStore(inner));
        var (id, content) = await StartWithChunkAsync(harness, "alice");
        faulty!.FailWhen = (table, _) => table.EndsWith("blobs", StringComparison.Ordinal);

        await Assert.ThrowsAsync<StorageException>(() => harness.Uploads.CompleteAsync(Repository, id, "alice", Sha512(content), Stream.Null, null, null, CancellationToken.None));

        faulty.FailWhen = (_, _) => false;
        var blob = await harness.Uploads.CompleteAsync(Repository, id, "alice", Sha512(content), Stream.Null, null, null, CancellationToken.None);
        Assert.Equal(content, await harness.ReadThroughRedirectAsync(Repository, blob.Digest));
    }

    [Fact]
    public async Task RetryWithAnotherWrongDigestIsRefusedFromTheRememberedDigestWithoutClaimingAgain()
    {
        await using var harness = RegistryHarness.InMemory();
        var (id, content) = await StartWithChunkAsync(harness, "alice");
        await Assert.ThrowsAsync<RegistryException>(() => harness.Uploads.CompleteAsync(Repository, id, "alice", Sha512(OciHttp.RandomBytes(10)), Stream.Null, null, null, CancellationToken.None));
        var before = await harness.Storage.Metadata.GetAsync(harness.Storage.Layout.UploadsTable, id, "", CancellationToken.None);

        var refused = await Assert.ThrowsAsync<RegistryException>(() => harness.Uploads.CompleteAsync(Repository, id, "alice", Sha512(OciHttp.RandomBytes(10)), Stream.Null, null, null, CancellationToken.None));

        Assert.Equal(ErrorKind.DigestInvalid, refused.Kind);
        var after = await harness.Storage.Metadata.GetAsync(harness.Storage.Layout.UploadsTable, id, "", CancellationToken.None);
        Assert.Equal(before!.ETag, after!.ETag);
        var blob = await harness.Uploads.CompleteAsync(Repository, id, "alice", Sha512(content), Stream.Null, null, null, CancellationToken.None);
        Assert.Equal(content, await harness.ReadThroughRedirectAsync(Repository, blob.Digest));
    }

    private static async Task<(string Id, byte[] Content)> StartWithChunkAsync(RegistryHarness harness, string owner)
    {
        var status = await harness.Uploads.StartAsync(Repository, DigestAlgorithm.Sha256, owner, CancellationToken.None);
        // Ten blocks of the harness's 1 KiB: more than the reads a rehash keeps in flight.
        var content = OciHttp.RandomBytes(10_000);
        await harness.Uploads.AppendAsync(Repository, status.Id, owner, new MemoryStream(content), null, null, CancellationToken.None);
        return (status.Id, content);
    }

    private static Digest Sha256(byte[] content) => Digest.FromHash(DigestAlgorithm.Sha256, SHA256.HashData(content));

    private static Digest Sha512(byte[] content) => Digest.FromHash(DigestAlgorithm.Sha512, SHA512.HashData(content));
}
