using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Storage.Tests;

public abstract partial class MetadataStoreSuite
{
    private static async Task InsertAllAsync(IMetadataStore store, string table, IEnumerable<TableRow> rows)
    {
        foreach (var chunk in rows.GroupBy(r => r.PartitionKey).SelectMany(g => g.Chunk(100)))
        {
            await store.ExecuteBatchAsync(table, chunk.Select(RowOperation.Insert).ToList(), None);
        }
    }

    private static async Task<List<TableRow>> QueryAllAsync(IMetadataStore store, string table, RowQuery query)
    {
        var rows = new List<TableRow>();
        for (string? continuation = null; ;)
        {
            var page = await store.QueryAsync(table, query with { Continuation = continuation }, None);
            rows.AddRange(page.Rows);
            if ((continuation = page.Continuation) is null)
            {
                return rows;
            }
        }
    }

    private static string[] Keys(RowPage page) => page.Rows.Select(r => r.RowKey).ToArray();

    [Fact]
    public Task QueryOfMissingTableIsEmpty() => WithStoreAsync(async (store, layout) =>
    {
        var page = await store.QueryAsync(layout.RepositoriesTable, new RowQuery { PartitionKey = "pk" }, None);
        Assert.Empty(page.Rows);
        Assert.Null(page.Continuation);
    });

    [Fact]
    public Task QueryReturnsRowsOrderedByRowKeyWithTheirETags() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        var etags = new Dictionary<string, string>();
        foreach (var key in new[] { "t:b", "b:z", "t:a", "m:c", "t:B" })
        {
            etags[key] = await store.ExecuteAsync(table, RowOperation.Insert(Row("pk", key, ("Size", 1L), ("Tag", key))), None);
        }

        var page = await store.QueryAsync(table, new RowQuery { PartitionKey = "pk" }, None);

        Assert.Equal(["b:z", "m:c", "t:B", "t:a", "t:b"], Keys(page));
        Assert.All(page.Rows, r => Assert.Equal(etags[r.RowKey], r.ETag));
        Assert.All(page.Rows, r => Assert.Equal(r.RowKey, r.GetString("Tag")));
        Assert.All(page.Rows, r => Assert.Equal(1L, Assert.IsType<long>(r["Size"])));
        Assert.Null(page.Continuation);
    });

    [Fact]
    public Task QueryHonoursInclusiveAndExclusiveLowerAndExclusiveUpperBounds() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await InsertAllAsync(store, table, new[] { "a", "b", "c", "d", "e" }.Select(k => Row("pk", k)));

        Assert.Equal(["b", "c", "d", "e"], Keys(await store.QueryAsync(table, new RowQuery { PartitionKey = "pk", RowKeyFrom = "b" }, None)));
        Assert.Equal(["c", "d", "e"], Keys(await store.QueryAsync(table, new RowQuery { PartitionKey = "pk", RowKeyFrom = "b", FromExclusive = true }, None)));
        Assert.Equal(["a", "b", "c"], Keys(await store.QueryAsync(table, new RowQuery { PartitionKey = "pk", RowKeyTo = "d" }, None)));
        Assert.Equal(["c"], Keys(await store.QueryAsync(table, new RowQuery { PartitionKey = "pk", RowKeyFrom = "b", FromExclusive = true, RowKeyTo = "d" }, None)));
        Assert.Empty(Keys(await store.QueryAsync(table, new RowQuery { PartitionKey = "pk", RowKeyFrom = "c", RowKeyTo = "c" }, None)));
    });

    [Fact]
    public Task QueryByPrefixRangeReturnsOnlyThatPrefix() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await InsertAllAsync(store, table, new[]
        {
            StorageLayout.BlobLinkKey("sha256:1"), StorageLayout.ManifestKey("sha256:1"), StorageLayout.TagKey("latest"),
            StorageLayout.TagKey("v1"), StorageLayout.ReferrerKey("sha256:1", "sha256:2"), StorageLayout.ReferrerKey("sha256:1", "sha256:3"),
            StorageLayout.ReferrerKey("sha256:12", "sha256:4"),
        }.Select(k => Row("pk", k)));

        var tags = await store.QueryAsync(table, new RowQuery
        {
            PartitionKey = "pk", RowKeyFrom = StorageLayout.TagPrefix, RowKeyTo = StorageLayout.PrefixEnd(StorageLayout.TagPrefix),
        }, None);
        var referrers = await store.QueryAsync(table, new RowQuery
        {
            PartitionKey = "pk", RowKeyFrom = StorageLayout.ReferrersOf("sha256:1"), RowKeyTo = StorageLayout.PrefixEnd(StorageLayout.ReferrersOf("sha256:1")),
        }, None);

        Assert.Equal(["t:latest", "t:v1"], Keys(tags));
        Assert.Equal(["r:sha256:1:sha256:2", "r:sha256:1:sha256:3"], Keys(referrers));
    });

    [Fact]
    public Task QueryWhereFiltersOnStringProperties() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await InsertAllAsync(store, table,
        [
            Row("pk", "r:1", ("ArtifactType", "application/x's"), ("MediaType", "a")),
            Row("pk", "r:2", ("ArtifactType", "application/y"), ("MediaType", "a")),
            Row("pk", "r:3", ("ArtifactType", "application/x's"), ("MediaType", "b")),
            Row("pk", "r:4", ("MediaType", "a")),
        ]);

        var one = await store.QueryAsync(table, new RowQuery
        {
            PartitionKey = "pk", Where = new Dictionary<string, string> { ["ArtifactType"] = "application/x's" },
        }, None);
        var two = await store.QueryAsync(table, new RowQuery
        {
            PartitionKey = "pk", RowKeyFrom = "r:", Where = new Dictionary<string, string> { ["ArtifactType"] = "application/x's", ["MediaType"] = "b" },
        }, None);

        Assert.Equal(["r:1", "r:3"], Keys(one));
        Assert.Equal(["r:3"], Keys(two));
    });

    [Fact]
    public Task QueryTopCapsEachPageAndContinuationResumes() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.RepositoriesTable;
        await InsertAllAsync(store, table, Enumerable.Range(0, 7).Select(i => Row("pk", "t:" + i)));

        var first = await store.QueryAsync(table, new RowQuery { PartitionKey = "pk", Top = 3 }, None);
        var second = await store.QueryAsync(table, new RowQuery { PartitionKey = "pk", Top = 3, Continuation = first.Continuation }, None);
        var all = await QueryAllAsync(store, table, new RowQuery { PartitionKey = "pk", RowKeyFrom = "t:1", Top = 2 });

        Assert.Equal(["t:0", "t:1", "t:2"], Keys(first));
        Assert.NotNull(first.Continuation);
        Assert.Equal(["t:3", "t:4", "t:5"], Keys(second));
        Assert.Equal(["t:1", "t:2", "t:3", "t:4", "t:5", "t:6"], all.Select(r => r.RowKey));
    });

    [Fact]
    public Task QueryPagesThroughManyRowsWithoutLossOrDuplicates() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.CatalogTable;
        var keys = Enumerable.Range(0, 1200).Select(i => StorageLayout.RepositoryKey($"library/repo{i:D4}")).ToList();
        await InsertAllAsync(store, table, keys.Select(k => Row(StorageLayout.CatalogPartition, k, ("Name", StorageLayout.RepositoryFromKey(k)))));

        var pages = 0;
        var rows = new List<TableRow>();
        for (string? continuation = null; ;)
        {
            pages++;
            var page = await store.QueryAsync(table, new RowQuery { PartitionKey = StorageLayout.CatalogPartition, Continuation = continuation }, None);
            Assert.True(page.Rows.Count <= 1000);
            rows.AddRange(page.Rows);
            if ((continuation = page.Continuation) is null)
            {
                break;
            }
        }

        Assert.True(pages >= 2, "1,200 rows cannot fit one page of at most 1,000");
        Assert.Equal(keys.Order(StringComparer.Ordinal), rows.Select(r => r.RowKey));
        Assert.All(rows, r => Assert.Equal(StorageLayout.RepositoryFromKey(r.RowKey), r.GetString("Name")));
    });

    [Fact]
    public Task QueryWithoutPartitionSpansPartitionsInKeyOrder() => WithStoreAsync(async (store, layout) =>
    {
        var table = layout.BlobIndexTable;
        await InsertAllAsync(store, table, new[] { "c", "a", "b" }.SelectMany(p => new[] { Row(p, "2"), Row(p, "1"), Row(p, "3") }));

        var all = await QueryAllAsync(store, table, new RowQuery());
        var bounded = await QueryAllAsync(store, table, new RowQuery { RowKeyFrom = "2", Top = 2 });

        Assert.Equal(["a1", "a2", "a3", "b1", "b2", "b3", "c1", "c2", "c3"], all.Select(r => r.PartitionKey + r.RowKey));
        Assert.Equal(["a2", "a3", "b2", "b3", "c2", "c3"], bounded.Select(r => r.PartitionKey + r.RowKey));
    });
}
