using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>
/// The <see cref="IBlobStore"/> contract, run against every backend. Each test gets its own prefix (so its own
/// container), and fails if that container is still there afterwards.
/// </summary>
public abstract partial class BlobStoreSuite : IAsyncLifetime
{
    protected const int SmallPage = 2;
    protected static readonly HttpClient Http = new();

    protected StorageLayout Layout { get; } = new(Azurite.NewPrefix());

    protected IBlobStore Store { get; private set; } = null!;

    /// <summary>A store on <paramref name="layout"/>'s container, reading the given clock, listing in pages of the given size.</summary>
    protected abstract Task<IBlobStore> CreateStoreAsync(StorageLayout layout, TimeProvider time, int listPageSize);

    protected abstract Task DeleteContainerAsync(StorageLayout layout);

    protected abstract Task<bool> ContainerExistsAsync(StorageLayout layout);

    public async Task InitializeAsync() => Store = await CreateStoreAsync(Layout, TimeProvider.System, SmallPage);

    public async Task DisposeAsync()
    {
        await DeleteContainerAsync(Layout);
        Assert.False(await ContainerExistsAsync(Layout), $"Container {Layout.Container} was left behind.");
    }

    protected static string Id(int index) => StorageLayout.BlockId(0x5EED, index);

    protected static string DataBlob() => StorageLayout.DataBlob(Guid.NewGuid().ToString("N"));

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task StageBlocksOutOfOrderThenCommitInOrderReadsExactBytes()
    {
        var blob = DataBlob();
        var parts = Enumerable.Range(0, 4).Select(i => Random.Shared.GetItems<byte>(Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(), 100_000 + i)).ToArray();

        await Task.WhenAll(Enumerable.Range(0, 4).Reverse().Select(i => Store.StageBlockAsync(blob, Id(i), parts[i], default)));
        await Store.CommitBlocksAsync(blob, [Id(0), Id(1), Id(2), Id(3)], "application/octet-stream", default);

        Assert.Equal(parts.SelectMany(p => p).ToArray(), await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task RestagingABlockIdReplacesItsContent()
    {
        var blob = DataBlob();
        await Store.StageBlockAsync(blob, Id(0), Bytes("old"), default);
        await Store.StageBlockAsync(blob, Id(0), Bytes("new"), default);
        await Store.CommitBlocksAsync(blob, [Id(0)], "text/plain", default);

        Assert.Equal(Bytes("new"), await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task BlockIdsWithPlusSlashAndPaddingRoundTrip()
    {
        var blob = DataBlob();
        var id = Convert.ToBase64String([0xFB, 0xEF, 0xBE, 0xFF, 0xFF, 0xFF, 0x00, 0x01]); // "++++////AAE="
        await Store.StageBlockAsync(blob, id, Bytes("odd id"), default);
        await Store.CommitBlocksAsync(blob, [id], "text/plain", default);

        Assert.Equal(Bytes("odd id"), await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task CommitNamingANeverStagedBlockThrows()
    {
        var blob = DataBlob();
        await Store.StageBlockAsync(blob, Id(0), Bytes("a"), default);

        var e = await Assert.ThrowsAnyAsync<StorageException>(() => Store.CommitBlocksAsync(blob, [Id(0), Id(1)], "text/plain", default));
        Assert.IsNotType<ConcurrencyException>(e);
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public async Task CommitDiscardsStagedBlocksItDoesNotList()
    {
        var blob = DataBlob();
        await Store.StageBlockAsync(blob, Id(0), Bytes("a"), default);
        await Store.StageBlockAsync(blob, Id(1), Bytes("b"), default);
        await Store.StageBlockAsync(blob, Id(2), Bytes("c"), default);
        await Store.CommitBlocksAsync(blob, [Id(0), Id(2)], "text/plain", default);

        Assert.Equal(Bytes("ac"), await Store.ReadAllAsync(blob, default));
        await Assert.ThrowsAnyAsync<StorageException>(() => Store.CommitBlocksAsync(blob, [Id(1)], "text/plain", default));
    }

    [Fact]
    public async Task CommittingTheSameListTwiceIsIdempotent()
    {
        var blob = DataBlob();
        await Store.StageBlockAsync(blob, Id(0), Bytes("a"), default);
        await Store.StageBlockAsync(blob, Id(1), Bytes("b"), default);
        await Store.CommitBlocksAsync(blob, [Id(0), Id(1)], "text/plain", default);
        await Store.CommitBlocksAsync(blob, [Id(0), Id(1)], "text/plain", default);

        Assert.Equal(Bytes("ab"), await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task EmptyCommitMakesAZeroLengthBlob()
    {
        var blob = DataBlob();
        await Store.CommitBlocksAsync(blob, [], "application/octet-stream", default);

        Assert.Equal(Array.Empty<byte>(), await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task CreateIfAbsentWritesOnceThenReportsExisting()
    {
        var blob = StorageLayout.ManifestBlob(Digest.FromHash(DigestAlgorithm.Sha256, new byte[32]));
        Assert.True(await Store.CreateIfAbsentAsync(blob, Bytes("first"), "application/json", default));
        Assert.False(await Store.CreateIfAbsentAsync(blob, Bytes("second"), "application/json", default));

        Assert.Equal(Bytes("first"), await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task EightConcurrentCreatorsOnAMissingContainerExactlyOneWins()
    {
        var blob = DataBlob();
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Store.CreateIfAbsentAsync(blob, Bytes("writer " + i), "text/plain", default)));

        Assert.Single(results, won => won);
        var winner = Array.IndexOf(results, true);
        Assert.Equal(Bytes("writer " + winner), await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task ReadingAMissingBlobOrContainerGivesNull()
    {
        Assert.Null(await Store.ReadAllAsync(DataBlob(), default)); // no container yet
        await Store.CommitBlocksAsync(DataBlob(), [], "text/plain", default);
        Assert.Null(await Store.ReadAllAsync(DataBlob(), default)); // container, no blob
    }

    [Fact]
    public async Task ReadRangeReturnsThatSliceShorterAtTheEndAndNothingPastIt()
    {
        var blob = DataBlob();
        Assert.Null(await Store.ReadRangeAsync(blob, 0, 10, default)); // no container yet
        Assert.True(await Store.CreateIfAbsentAsync(blob, Bytes("0123456789"), "text/plain", default));

        Assert.Equal(Bytes("234"), await Store.ReadRangeAsync(blob, 2, 3, default));
        Assert.Equal(Bytes("89"), await Store.ReadRangeAsync(blob, 8, 5, default));
        Assert.Empty((await Store.ReadRangeAsync(blob, 10, 5, default))!);
        Assert.Null(await Store.ReadRangeAsync(DataBlob(), 0, 10, default)); // container, no blob

        var empty = DataBlob();
        await Store.CommitBlocksAsync(empty, [], "text/plain", default);
        Assert.Empty((await Store.ReadRangeAsync(empty, 0, 10, default))!);
    }

    [Fact]
    public async Task DeleteIsIdempotent()
    {
        var blob = DataBlob();
        Assert.False(await Store.DeleteAsync(blob, default)); // no container yet
        Assert.True(await Store.CreateIfAbsentAsync(blob, Bytes("x"), "text/plain", default));

        Assert.True(await Store.DeleteAsync(blob, default));
        Assert.False(await Store.DeleteAsync(blob, default));
        Assert.Null(await Store.ReadAllAsync(blob, default));
    }

    [Fact]
    public async Task ReadUriServesTheBlobAndRanges()
    {
        var blob = DataBlob();
        Assert.True(await Store.CreateIfAbsentAsync(blob, Bytes("0123456789"), "text/plain", default));
        var uri = await Store.GetReadUriAsync(blob, TimeSpan.FromMinutes(10), default);

        Assert.Equal(Bytes("0123456789"), await Http.GetByteArrayAsync(uri));

        using var ranged = new HttpRequestMessage(HttpMethod.Get, uri) { Headers = { Range = new RangeHeaderValue(2, 5) } };
        using var response = await Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(Bytes("2345"), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ReadUriForOneBlobDoesNotOpenAnother()
    {
        var a = DataBlob();
        var b = DataBlob();
        Assert.True(await Store.CreateIfAbsentAsync(a, Bytes("a"), "text/plain", default));
        Assert.True(await Store.CreateIfAbsentAsync(b, Bytes("b"), "text/plain", default));
        var uri = await Store.GetReadUriAsync(a, TimeSpan.FromMinutes(10), default);

        var swapped = new UriBuilder(uri) { Path = uri.AbsolutePath.Replace(a, b, StringComparison.Ordinal) }.Uri;
        using var response = await Http.GetAsync(swapped);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ReadUriThatHasExpiredIsRefused()
    {
        var blob = DataBlob();
        Assert.True(await Store.CreateIfAbsentAsync(blob, Bytes("x"), "text/plain", default));
        var past = new BlobFixedTime(DateTimeOffset.UtcNow.AddHours(-2));
        var pastStore = await CreateStoreAsync(Layout, past, SmallPage);
        var uri = await pastStore.GetReadUriAsync(blob, TimeSpan.FromMinutes(10), default);

        using var response = await Http.GetAsync(uri);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task ListReturnsCommittedAndUncommittedBlobsInNameOrder()
    {
        await Store.CreateIfAbsentAsync("data/c", Bytes("ccc"), "text/plain", default);
        await Store.StageBlockAsync("data/b", Id(0), Bytes("staged only"), default);
        await Store.CreateIfAbsentAsync("data/a", Bytes("a"), "text/plain", default);
        await Store.StageBlockAsync("data/c", Id(0), Bytes("more blocks on a committed blob"), default);
        await Store.CreateIfAbsentAsync("manifests/sha256/x", Bytes("not listed"), "text/plain", default);

        var listed = await Store.ListAsync("data/", default).ToListAsync();

        Assert.Equal(["data/a", "data/b", "data/c"], listed.Select(b => b.Name));
        Assert.Equal([true, false, true], listed.Select(b => b.Committed));
        Assert.Equal([1L, 0L, 3L], listed.Select(b => b.Length));
        Assert.All(listed, b => Assert.InRange(b.LastModified, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5)));
    }

    [Fact]
    public async Task ListPagesThroughMoreBlobsThanOnePage()
    {
        var names = Enumerable.Range(0, 7).Select(i => $"data/{i:D2}").ToArray();
        await Task.WhenAll(names.Select((name, i) => i % 3 == 1
            ? Store.StageBlockAsync(name, Id(0), Bytes("u"), default)
            : Store.CreateIfAbsentAsync(name, Bytes("c"), "text/plain", default)));

        var listed = await Store.ListAsync("data/", default).ToListAsync();

        Assert.Equal(names, listed.Select(b => b.Name));
        Assert.Equal(names.Select((_, i) => i % 3 != 1), listed.Select(b => b.Committed));
    }

    [Fact]
    public async Task ListingAMissingContainerIsEmpty() =>
        Assert.Empty(await Store.ListAsync("", default).ToListAsync());
}
