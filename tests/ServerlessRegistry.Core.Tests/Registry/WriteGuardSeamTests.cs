using System.Security.Cryptography;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// The core asks its write guard before every guarded write, and a refusal leaves the old state: no link, no index
/// row, the upload session as it was, tags and manifests unchanged. Guarded tags are written on the ETag checked.
/// </summary>
public sealed class WriteGuardSeamTests
{
    [Fact]
    public async Task A_refused_charge_commits_nothing_and_keeps_the_session()
    {
        var guard = new ScriptedGuard { RefuseCharge = true };
        await using var harness = RegistryHarness.InMemory(guard: guard);
        var content = OciHttp.RandomBytes(3000);
        var digest = Digest.FromHash(DigestAlgorithm.Sha256, SHA256.HashData(content));

        var monolithic = await Assert.ThrowsAsync<RegistryException>(() =>
            harness.Uploads.UploadMonolithicAsync("guard/up", digest, new MemoryStream(content), content.Length, CancellationToken.None));
        Assert.Equal(ErrorKind.Denied, monolithic.Kind);

        var session = await harness.Uploads.StartAsync("guard/up", DigestAlgorithm.Sha256, null, CancellationToken.None);
        await harness.Uploads.AppendAsync("guard/up", session.Id, null, new MemoryStream(content), null, content.Length, CancellationToken.None);
        var chunked = await Assert.ThrowsAsync<RegistryException>(() =>
            harness.Uploads.CompleteAsync("guard/up", session.Id, null, digest, Stream.Null, null, null, CancellationToken.None));
        Assert.Equal(ErrorKind.Denied, chunked.Kind);

        Assert.Null(await harness.Blobs.FindAsync("guard/up", digest.Value, CancellationToken.None));
        Assert.Null(await harness.Storage.Metadata.GetAsync(harness.Storage.Layout.BlobIndexTable, digest.Value, "", CancellationToken.None));
        Assert.Equal(content.Length, (await harness.Uploads.GetStatusAsync("guard/up", session.Id, null, CancellationToken.None)).Offset);
        Assert.Equal([(digest.Value, 3000L), (digest.Value, 3000L)], guard.Charges.Select(c => (c.Digest, c.Size)));

        guard.RefuseCharge = false;
        await harness.Uploads.CompleteAsync("guard/up", session.Id, null, digest, Stream.Null, null, null, CancellationToken.None);
        Assert.NotNull(await harness.Blobs.FindAsync("guard/up", digest.Value, CancellationToken.None));
    }

    [Fact]
    public async Task Guarded_tags_are_checked_against_their_current_digest_and_a_refused_move_changes_nothing()
    {
        var guard = new ScriptedGuard { GuardTags = true };
        await using var harness = RegistryHarness.InMemory(guard: guard);
        var first = await PushImageAsync(harness, "guard/tags", "v1", "a");
        guard.Refuse = change => change.Tag == "v1" && change.From is not null && change.From != change.To;

        var other = await PrepareImageAsync(harness, "guard/tags", "b");
        var charges = guard.Charges.Count;
        var moved = await Assert.ThrowsAsync<RegistryException>(() =>
            harness.Manifests.PutAsync("guard/tags", ManifestReference.Parse("v1"), other, OciHttp.OciManifest, ["v2"], CancellationToken.None));
        Assert.Equal(ErrorKind.Denied, moved.Kind);
        Assert.Equal(charges, guard.Charges.Count); // refused before the manifest was charged
        Assert.Equal(first, (await harness.Manifests.GetAsync("guard/tags", ManifestReference.Parse("v1"), false, CancellationToken.None)).Digest);
        await Assert.ThrowsAsync<RegistryException>(() => harness.Manifests.GetAsync("guard/tags", ManifestReference.Parse("v2"), false, CancellationToken.None));
        Assert.Contains(new TagChange("v1", first, guard.LastChanges.Single(c => c.Tag == "v1").To), guard.LastChanges);
        Assert.Contains(guard.LastChanges, c => c.Tag == "v2" && c.From is null);

        var deleted = await Assert.ThrowsAsync<RegistryException>(() => harness.Manifests.DeleteAsync("guard/tags", ManifestReference.Parse("v1"), CancellationToken.None));
        Assert.Equal(ErrorKind.Denied, deleted.Kind);
        Assert.Equal([new TagChange("v1", first, null)], guard.LastChanges);

        guard.RefuseManifestDelete = true;
        await Assert.ThrowsAsync<RegistryException>(() => harness.Manifests.DeleteAsync("guard/tags", ManifestReference.Parse(first), CancellationToken.None));
        Assert.Equal(first, (await harness.Manifests.GetAsync("guard/tags", ManifestReference.Parse("v1"), false, CancellationToken.None)).Digest);
    }

    [Fact]
    public async Task A_tag_moved_between_the_check_and_the_write_is_checked_again()
    {
        var guard = new ScriptedGuard { GuardTags = true };
        await using var harness = RegistryHarness.InMemory(guard: guard);
        var first = await PushImageAsync(harness, "guard/race", "v1", "a");
        var other = await PushImageAsync(harness, "guard/race", "other", "c");
        var moveOnce = true;
        var before = guard.Checks;
        guard.OnCheck = async () =>
        {
            if (moveOnce && guard.Checks == before + 1)
            {
                // Another push moves v1 after this push read and checked it: the conditional write must fail and the check run again.
                moveOnce = false;
                var row = await harness.Storage.GetRepositoryRowAsync("guard/race", StorageLayout.TagKey("other"), CancellationToken.None);
                var moved = new TableRow(StorageLayout.RepositoryKey("guard/race"), StorageLayout.TagKey("v1")) { Properties = row!.Properties };
                await harness.Storage.Metadata.ExecuteAsync(harness.Storage.Layout.RepositoriesTable, RowOperation.Upsert(moved), CancellationToken.None);
            }
        };

        var pushed = await PushImageAsync(harness, "guard/race", "v1", "b");
        Assert.Equal(before + 2, guard.Checks); // the check before the charge, and again after the move failed the write
        Assert.Equal(new TagChange("v1", other, pushed), guard.LastChanges.Single());
        Assert.NotEqual(first, other);
    }

    private static async Task<string> PushImageAsync(RegistryHarness harness, string repository, string tag, string seed)
    {
        var manifest = await PrepareImageAsync(harness, repository, seed);
        var result = await harness.Manifests.PutAsync(repository, ManifestReference.Parse(tag), manifest, OciHttp.OciManifest, [], CancellationToken.None);
        return result.Digest;
    }

    /// <summary>Uploads a config and a layer; returns the manifest naming them.</summary>
    private static async Task<byte[]> PrepareImageAsync(RegistryHarness harness, string repository, string seed)
    {
        var config = await UploadAsync(harness, repository, System.Text.Encoding.UTF8.GetBytes("{\"seed\":\"" + seed + "\"}"));
        var layer = await UploadAsync(harness, repository, OciHttp.RandomBytes(64));
        return OciHttp.ImageManifest(config.Digest, config.Size, layer.Digest, layer.Size);
    }

    private static Task<BlobInfo> UploadAsync(RegistryHarness harness, string repository, byte[] content) =>
        harness.Uploads.UploadMonolithicAsync(repository, Digest.FromHash(DigestAlgorithm.Sha256, SHA256.HashData(content)), new MemoryStream(content), content.Length, CancellationToken.None);

    private sealed class ScriptedGuard : IWriteGuard
    {
        public bool RefuseCharge { get; set; }
        public bool GuardTags { get; set; }
        public bool RefuseManifestDelete { get; set; }
        public Func<TagChange, bool> Refuse { get; set; } = _ => false;
        public Func<Task>? OnCheck { get; set; }
        public List<(string Digest, long Size)> Charges { get; } = [];
        public IReadOnlyList<TagChange> LastChanges { get; private set; } = [];
        public int Checks { get; private set; }

        public ValueTask CheckUploadAsync(string repository, string? owner, long? size, CancellationToken ct) => ValueTask.CompletedTask;

        public ValueTask ChargeAsync(string repository, string digest, long size, CancellationToken ct)
        {
            lock (Charges)
            {
                Charges.Add((digest, size));
            }

            if (RefuseCharge)
            {
                Fail.With(ErrorKind.Denied, "over quota");
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> GuardsTagsAsync(string repository, bool deleting, CancellationToken ct) => ValueTask.FromResult(GuardTags);

        public void CheckTagChanges(string repository, IReadOnlyList<TagChange> changes)
        {
            LastChanges = changes;
            Checks++;
            OnCheck?.Invoke().GetAwaiter().GetResult();
            if (changes.Any(Refuse))
            {
                Fail.With(ErrorKind.Denied, "tag is immutable");
            }
        }

        public ValueTask<Func<string, bool>?> KeptManifestsAsync(string repository, CancellationToken ct) => ValueTask.FromResult<Func<string, bool>?>(null);

        public ValueTask CheckManifestDeleteAsync(string repository, string digest, CancellationToken ct)
        {
            if (RefuseManifestDelete)
            {
                Fail.With(ErrorKind.Denied, "manifest is locked");
            }

            return ValueTask.CompletedTask;
        }
    }
}
