using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>
/// The <see cref="IMetadataStore"/> contract, run against every backend. Each test works under its own
/// storage prefix and deletes every table of that prefix when it ends, so nothing is left behind.
/// Split by topic: rows (this file), queries and batches (the partial files next to it).
/// </summary>
public abstract partial class MetadataStoreSuite
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A store on a fresh connection to the backend.</summary>
    protected abstract Task<IMetadataStore> CreateStoreAsync();

    /// <summary>Removes a table and its rows; a missing table is fine.</summary>
    protected abstract Task DeleteTableAsync(IMetadataStore store, string table);

    /// <summary>The tables whose names start with <paramref name="prefix"/>.</summary>
    protected abstract Task<IReadOnlyList<string>> ListTablesAsync(IMetadataStore store, string prefix);

    /// <summary>
    /// Runs <paramref name="test"/> with a fresh store and prefix, then drops the prefix's tables and, when the
    /// test passed, checks that none is left.
    /// </summary>
    protected async Task WithStoreAsync(Func<IMetadataStore, StorageLayout, Task> test)
    {
        var store = await CreateStoreAsync();
        var layout = new StorageLayout(Testing.Azurite.NewPrefix());
        try
        {
            await test(store, layout);
        }
        finally
        {
            foreach (var table in new[] { layout.UploadsTable, layout.BlobIndexTable, layout.RepositoriesTable, layout.CatalogTable })
            {
                await DeleteTableAsync(store, table);
            }
        }

        Assert.Empty(await ListTablesAsync(store, layout.Prefix));
    }

    private static TableRow Row(string partitionKey, string rowKey, params (string Name, object Value)[] properties)
    {
        var row = new TableRow(partitionKey, rowKey);
        foreach (var (name, value) in properties)
        {
            row[name] = value;
        }

        return row;
    }

    [Fact]
    public Task GetOfMissingTableIsNull() => WithStoreAsync(async (store, layout) =>
        Assert.Null(await store.GetAsync(layout.BlobIndexTable, "pk", "rk", None)));

    [Fact]
    public Task GetOfMissingRowIsNull() => WithStoreAsync(async (store, layout) =>
    {
        await store.ExecuteAsync(layout.BlobIndexTable, RowOperation.Insert(Row("pk", "other")), None);
        Assert.Null(await store.GetAsync(layout.BlobIndexTable, "pk", "rk", None));
        Assert.Null(await store.GetAsync(layout.BlobIndexTable, "other", "other", None));
    });

    [Fact]
    public Task InsertThenGetRoundtripsEveryPropertyType() => WithStoreAsync(async (store, layout) =>
    {
        var binary = new byte[60 * 1024];
        new Random(42).NextBytes(binary);
        var when = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.Zero).AddTicks(1234567);
        var row = Row("sha256:abc", "m:it's \"quoted\"", ("Text", "it's: ünïcødé ✓ 'x' \"y\" \n line"), ("Size", 5_000_000_000L),
            ("Small", 7L), ("Count", 42), ("Negative", -3), ("Flag", true), ("Off", false), ("Content", binary), ("Empty", ""),
            ("PushedAt", when), ("Offset", new DateTimeOffset(2020, 1, 1, 12, 0, 0, TimeSpan.FromHours(2))));

        var etag = await store.ExecuteAsync(layout.BlobIndexTable, RowOperation.Insert(row), None);
        var read = await store.GetAsync(layout.BlobIndexTable, row.PartitionKey, row.RowKey, None);

        Assert.NotNull(read);
        Assert.Equal(row.PartitionKey, read.PartitionKey);
        Assert.Equal(row.RowKey, read.RowKey);
        Assert.Equal(etag, read.ETag);
        Assert.Equal(row.Properties.Keys.Order(StringComparer.Ordinal), read.Properties.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("it's: ünïcødé ✓ 'x' \"y\" \n line", Assert.IsType<string>(read["Text"]));
        Assert.Equal(5_000_000_000L, Assert.IsType<long>(read["Size"]));
        Assert.Equal(7L, Assert.IsType<long>(read["Small"]));
        Assert.Equal(42, Assert.IsType<int>(read["Count"]));
        Assert.Equal(-3, Assert.IsType<int>(read["Negative"]));
        Assert.True(Assert.IsType<bool>(read["Flag"]));
        Assert.False(Assert.IsType<bool>(read["Off"]));
        Assert.Equal(binary, Assert.IsType<byte[]>(read["Content"]));
        Assert.Equal("", Assert.IsType<string>(read["Empty"]));
        Assert.Equal(when, Assert.IsType<DateTimeOffset>(read["PushedAt"]));
        Assert.Equal(TimeSpan.Zero, read.GetDateTime("PushedAt")!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2020, 1, 1, 10, 0, 0, TimeSpan.Zero), read.GetDateTime("Offset"));
    });

    [Fact]
    public Task InsertOfExistingRowThrowsConcurrency() => WithStoreAsync(async (store, layout) =>
    {
        await store.ExecuteAsync(layout.BlobIndexTable, RowOperation.Insert(Row("pk", "", ("Blob", "a"))), None);
        var error = await Assert.ThrowsAsync<ConcurrencyException>(() =>
            store.ExecuteAsync(layout.BlobIndexTable, RowOperation.Insert(Row("pk", "", ("Blob", "b"))), None));
        Assert.Equal(-1, error.FailedIndex);
        Assert.Equal("a", (await store.GetAsync(layout.BlobIndexTable, "pk", "", None))!.GetString("Blob"));
    });

    [Fact]
    public Task ReplaceWithCurrentETagSucceedsAndWithStaleETagThrows() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.UploadsTable;
        var first = await store.ExecuteAsync(table, RowOperation.Insert(Row("u1", "", ("Offset", 0L), ("Repository", "r"))), None);
        var second = await store.ExecuteAsync(table, RowOperation.Replace(Row("u1", "", ("Offset", 10L)), first), None);

        Assert.NotEqual(first, second);
        var read = await store.GetAsync(table, "u1", "", None);
        Assert.Equal(second, read!.ETag);
        Assert.Equal(10L, read.GetInt64("Offset"));
        Assert.Null(read["Repository"]); // replace drops properties it does not name
        await Assert.ThrowsAsync<ConcurrencyException>(() =>
            store.ExecuteAsync(table, RowOperation.Replace(Row("u1", "", ("Offset", 20L)), first), None));
        Assert.Equal(10L, (await store.GetAsync(table, "u1", "", None))!.GetInt64("Offset"));
        await store.ExecuteAsync(table, RowOperation.Replace(Row("u1", "", ("Offset", 30L)), "*"), None);
        Assert.Equal(30L, (await store.GetAsync(table, "u1", "", None))!.GetInt64("Offset"));
    });

    [Fact]
    public Task ReplaceOfMissingRowThrowsConcurrency() => WithStoreAsync(async (store, layout) =>
    {
        // First on a table that does not exist, then on one that does.
        await Assert.ThrowsAsync<ConcurrencyException>(() =>
            store.ExecuteAsync(layout.UploadsTable, RowOperation.Replace(Row("u1", ""), "*"), None));
        await store.ExecuteAsync(layout.UploadsTable, RowOperation.Insert(Row("u2", "")), None);
        await Assert.ThrowsAsync<ConcurrencyException>(() =>
            store.ExecuteAsync(layout.UploadsTable, RowOperation.Replace(Row("u1", ""), "*"), None));
    });

    [Fact]
    public Task UpsertCreatesThenReplacesAllProperties() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.CatalogTable;
        var created = await store.ExecuteAsync(table, RowOperation.Upsert(Row("repositories", "6c69", ("Name", "li"), ("Extra", 1))), None);
        var replaced = await store.ExecuteAsync(table, RowOperation.Upsert(Row("repositories", "6c69", ("Name", "li2"))), None);

        Assert.NotEqual(created, replaced);
        var read = await store.GetAsync(table, "repositories", "6c69", None);
        Assert.Equal("li2", read!.GetString("Name"));
        Assert.Null(read["Extra"]);
        Assert.Equal(replaced, read.ETag);
    });

    [Fact]
    public Task DeleteWithStarOrCurrentETagRemovesTheRow() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:a")), None);
        var etag = await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:b")), None);

        Assert.Equal("", await store.ExecuteAsync(table, RowOperation.Delete("pk", "t:a"), None));
        Assert.Equal("", await store.ExecuteAsync(table, RowOperation.Delete("pk", "t:b", etag), None));
        Assert.Null(await store.GetAsync(table, "pk", "t:a", None));
        Assert.Null(await store.GetAsync(table, "pk", "t:b", None));
    });

    [Fact]
    public Task DeleteWithStaleETagThrowsAndKeepsTheRow() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        var stale = await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:a", ("Digest", "1"))), None);
        await store.ExecuteAsync(table, RowOperation.Upsert(Row("pk", "t:a", ("Digest", "2"))), None);

        await Assert.ThrowsAsync<ConcurrencyException>(() => store.ExecuteAsync(table, RowOperation.Delete("pk", "t:a", stale), None));
        Assert.Equal("2", (await store.GetAsync(table, "pk", "t:a", None))!.GetString("Digest"));
    });

    [Fact]
    public Task DeleteOfMissingRowThrowsConcurrency() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.ExecuteAsync(table, RowOperation.Delete("pk", "t:a"), None));
        await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", "t:b")), None);
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.ExecuteAsync(table, RowOperation.Delete("pk", "t:a"), None));
    });

    [Fact]
    public Task KeysWithQuotesColonsAndLongHexWork() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        var partition = new string('a', 500) + "0123456789"; // 510 hex characters
        string[] rowKeys = ["t:it's", "r:sha256:ab:sha256:cd", "t:''", "t:a'", "m:(x) + & = é ✓"];
        foreach (var rowKey in rowKeys)
        {
            var etag = await store.ExecuteAsync(table, RowOperation.Insert(Row(partition, rowKey, ("Key", rowKey))), None);
            etag = await store.ExecuteAsync(table, RowOperation.Replace(Row(partition, rowKey, ("Key", rowKey + "!")), etag), None);
            var read = await store.GetAsync(table, partition, rowKey, None);
            Assert.Equal(rowKey + "!", read!.GetString("Key"));
            Assert.Equal(rowKey, read.RowKey);
            Assert.Equal(etag, read.ETag);
        }

        var page = await store.QueryAsync(table, new RowQuery { PartitionKey = partition, RowKeyFrom = "t:", RowKeyTo = "t;" }, None);
        Assert.Equal(["t:''", "t:a'", "t:it's"], page.Rows.Select(r => r.RowKey));
        foreach (var rowKey in rowKeys)
        {
            await store.ExecuteAsync(table, RowOperation.Delete(partition, rowKey), None);
        }

        Assert.Empty((await store.QueryAsync(table, new RowQuery { PartitionKey = partition }, None)).Rows);
    });

    [Fact]
    public Task ConcurrentFirstWritesToANewTableAllSucceed() => WithStoreAsync(async (store, layout) =>
    {
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            store.ExecuteAsync(layout.BlobIndexTable, RowOperation.Insert(Row("pk" + i, "")), None)));
        var page = await store.QueryAsync(layout.BlobIndexTable, new RowQuery(), None);
        Assert.Equal(16, page.Rows.Count);
        Assert.Equal([layout.BlobIndexTable], await ListTablesAsync(store, layout.Prefix));
    });
}
