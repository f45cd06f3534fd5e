using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Storage.Tests;

public abstract partial class MetadataStoreSuite
{
    [Fact]
    public Task BatchAppliesMixedOperationsTogether() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        var toReplace = await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "m:1", ("Size", 1L))), None);
        var toDelete = await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:old")), None);
        await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:gone")), None);
        await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:up", ("Digest", "x"))), None);

        await store.ExecuteBatchAsync(table,
        [
            RowOperation.Insert(Row("pk", "t:new", ("Digest", "sha256:1"), ("Content", new byte[] { 1, 2, 3 }))),
            RowOperation.Upsert(Row("pk", "t:up", ("Digest", "y"))),
            RowOperation.Upsert(Row("pk", "t:fresh", ("Digest", "z"))),
            RowOperation.Replace(Row("pk", "m:1", ("Size", 2L)), toReplace),
            RowOperation.Delete("pk", "t:old", toDelete),
            RowOperation.Delete("pk", "t:gone"),
        ], None);

        var rows = (await store.QueryAsync(table, new RowQuery { PartitionKey = "pk" }, None)).Rows.ToDictionary(r => r.RowKey);
        Assert.Equal(["m:1", "t:fresh", "t:new", "t:up"], rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2L, rows["m:1"].GetInt64("Size"));
        Assert.NotEqual(toReplace, rows["m:1"].ETag);
        Assert.Equal("sha256:1", rows["t:new"].GetString("Digest"));
        Assert.Equal(new byte[] { 1, 2, 3 }, rows["t:new"].GetBinary("Content"));
        Assert.Equal("y", rows["t:up"].GetString("Digest"));
        Assert.Equal("z", rows["t:fresh"].GetString("Digest"));
    });

    [Fact]
    public Task BatchWhoseThirdOperationFailsAppliesNothing() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:taken", ("Digest", "kept"))), None);
        var etag = await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:mine", ("Digest", "kept"))), None);

        var error = await Assert.ThrowsAsync<ConcurrencyException>(() => store.ExecuteBatchAsync(table,
        [
            RowOperation.Insert(Row("pk", "t:a")),
            RowOperation.Replace(Row("pk", "t:mine", ("Digest", "changed")), etag),
            RowOperation.Insert(Row("pk", "t:taken", ("Digest", "lost"))),
            RowOperation.Insert(Row("pk", "t:b")),
        ], None));

        Assert.Equal(2, error.FailedIndex);
        var rows = (await store.QueryAsync(table, new RowQuery { PartitionKey = "pk" }, None)).Rows;
        Assert.Equal(["t:mine", "t:taken"], rows.Select(r => r.RowKey));
        Assert.All(rows, r => Assert.Equal("kept", r.GetString("Digest")));
        Assert.Equal(etag, rows[0].ETag);
    });

    [Fact]
    public Task BatchWithStaleETagReportsTheFailingOperation() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        var stale = await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:a")), None);
        await store.ExecuteAsync(table, RowOperation.Upsert(Row("pk", "t:a", ("Digest", "new"))), None);

        var replace = await Assert.ThrowsAsync<ConcurrencyException>(() => store.ExecuteBatchAsync(table,
            [RowOperation.Insert(Row("pk", "t:b")), RowOperation.Replace(Row("pk", "t:a"), stale)], None));
        var delete = await Assert.ThrowsAsync<ConcurrencyException>(() => store.ExecuteBatchAsync(table,
            [RowOperation.Delete("pk", "t:a", stale)], None));
        var missing = await Assert.ThrowsAsync<ConcurrencyException>(() => store.ExecuteBatchAsync(table,
            [RowOperation.Insert(Row("pk", "t:c")), RowOperation.Upsert(Row("pk", "t:d")), RowOperation.Delete("pk", "t:none")], None));

        Assert.Equal(1, replace.FailedIndex);
        Assert.Equal(0, delete.FailedIndex);
        Assert.Equal(2, missing.FailedIndex);
        Assert.Equal(["t:a"], Keys(await store.QueryAsync(table, new RowQuery { PartitionKey = "pk" }, None)));
    });

    [Fact]
    public Task BatchOnATableThatDoesNotExistYetCreatesIt() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await store.ExecuteBatchAsync(table, [RowOperation.Insert(Row("it's", "t:1")), RowOperation.Upsert(Row("it's", "t:2"))], None);

        Assert.Equal([table], await ListTablesAsync(store, layout.Prefix));
        Assert.Equal(["t:1", "t:2"], Keys(await store.QueryAsync(table, new RowQuery { PartitionKey = "it's" }, None)));
    });

    [Fact]
    public Task BatchOfOneHundredOperationsSucceeds() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await store.ExecuteBatchAsync(table, Enumerable.Range(0, 100).Select(i => RowOperation.Upsert(Row("pk", $"t:{i:D3}"))).ToList(), None);

        Assert.Equal(100, (await store.QueryAsync(table, new RowQuery { PartitionKey = "pk" }, None)).Rows.Count);
    });

    [Fact]
    public Task BatchRejectsTooManyOperationsMixedPartitionsAndRepeatedRowsBeforeSending() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExecuteBatchAsync(table,
            Enumerable.Range(0, 101).Select(i => RowOperation.Insert(Row("pk", "t:" + i))).ToList(), None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExecuteBatchAsync(table,
            [RowOperation.Insert(Row("pk", "t:1")), RowOperation.Insert(Row("other", "t:2"))], None));
        await Assert.ThrowsAsync<ArgumentException>(() => store.ExecuteBatchAsync(table,
            [RowOperation.Insert(Row("pk", "t:1")), RowOperation.Delete("pk", "t:1")], None));

        // Nothing was sent, so the table was never created.
        Assert.Empty(await ListTablesAsync(store, layout.Prefix));
    });

    [Fact]
    public Task EmptyBatchDoesNothing() => WithStoreAsync(async (store, layout) =>
    {
        await store.ExecuteBatchAsync(layout.RepositoriesTable, [], None);
        Assert.Empty(await ListTablesAsync(store, layout.Prefix));
    });
}
