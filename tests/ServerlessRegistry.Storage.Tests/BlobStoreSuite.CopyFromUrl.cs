using ServerlessRegistry.Testing.Upstreams;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>Put Block From URL (<see cref="Core.Storage.IBlobStore.StageBlockFromUriAsync"/>) on every backend.</summary>
public abstract partial class BlobStoreSuite
{
    /// <summary>Whether the backend copies from a read URL of a blob in its own account (Azure and Azurite ≥ 3.37 do; memory does not).</summary>
    protected abstract bool CopiesFromOwnReadUrls { get; }

    [Fact]
    public async Task StageBlockFromAnOutsideUrlIsRefusedAndStagesNothing()
    {
        // A real, reachable source outside the storage service: Azurite copies only from itself, memory from nowhere.
        await using var outside = await LoopbackHost.StartAsync(context => context.Response.Body.WriteAsync(Bytes("bytes from elsewhere")).AsTask());
        var blob = DataBlob();

        Assert.False(await Store.StageBlockFromUriAsync(blob, Id(0), new Uri(outside.BaseAddress, "layer?sig=x"), 0, 5, default));

        Assert.Empty(await Store.ListAsync("data/", default).ToListAsync());
    }

    [Fact]
    public async Task StageBlockFromAReadUrlOfTheSameAccountCopiesExactlyTheRange()
    {
        var source = DataBlob();
        var content = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        Assert.True(await Store.CreateIfAbsentAsync(source, content, "application/octet-stream", default));
        var url = await Store.GetReadUriAsync(source, TimeSpan.FromMinutes(5), default);
        var target = DataBlob();

        var copied = await Store.StageBlockFromUriAsync(target, Id(1), url, 300, 200, default);

        Assert.Equal(CopiesFromOwnReadUrls, copied);
        if (copied)
        {
            await Store.StageBlockAsync(target, Id(0), Bytes("head:"), default);
            await Store.CommitBlocksAsync(target, [Id(0), Id(1)], "application/octet-stream", default);
            var committed = await Store.ReadAllAsync(target, default);
            Assert.Equal(Bytes("head:").Concat(content.Skip(300).Take(200)).ToArray(), committed);
        }
        else
        {
            Assert.Equal([source], (await Store.ListAsync("data/", default).ToListAsync()).Select(b => b.Name));
        }
    }
}
