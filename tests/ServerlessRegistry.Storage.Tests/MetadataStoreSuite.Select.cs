using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Storage.Tests;

public abstract partial class MetadataStoreSuite
{
    [Fact]
    public Task QueryWithSelectReturnsOnlyTheNamedPropertiesWithKeysAndETags() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        var etag = await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:a", ("Digest", "d1"), ("Size", 5L), ("Content", new byte[1000]),
            ("PushedAt", new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)))), None);
        await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:b", ("Content", new byte[10]))), None);

        var page = await store.QueryAsync(table, new RowQuery { PartitionKey = "pk", Select = ["Digest", "PushedAt", "Missing"] }, None);

        Assert.Equal(["t:a", "t:b"], Keys(page));
        var first = page.Rows[0];
        Assert.Equal("pk", first.PartitionKey);
        Assert.Equal(etag, first.ETag);
        Assert.Equal(["Digest", "PushedAt"], first.Properties.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("d1", first.GetString("Digest"));
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), first.GetDateTime("PushedAt"));
        Assert.Empty(page.Rows[1].Properties);
    });

    [Fact]
    public Task QueryWithSelectStillFiltersOnUnselectedProperties() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "r:1", ("ArtifactType", "text/markdown"), ("PushedAt", DateTimeOffset.UnixEpoch))), None);
        await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "r:2", ("ArtifactType", "application/json"), ("PushedAt", DateTimeOffset.UnixEpoch))), None);

        var page = await store.QueryAsync(table, new RowQuery
        {
            PartitionKey = "pk",
            Where = new Dictionary<string, string> { ["ArtifactType"] = "text/markdown" },
            Select = ["PushedAt"],
        }, None);

        var row = Assert.Single(page.Rows);
        Assert.Equal("r:1", row.RowKey);
        Assert.Equal(["PushedAt"], row.Properties.Keys);
    });

    [Fact]
    public Task QueryRejectsAnInvalidSelectedName() => WithStoreAsync(async (store, layout) =>
        await Assert.ThrowsAsync<ArgumentException>(() => store.QueryAsync(layout.RepositoriesTable, new RowQuery { PartitionKey = "pk", Select = ["Bad-Name"] }, None)));
}
