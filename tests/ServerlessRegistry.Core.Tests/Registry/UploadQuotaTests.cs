using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Tests.Registry;

/// <summary>
/// A caller at the cap: index rows without a session are removed then, unless they may belong to a start still in
/// progress (a start writes its index row before its session row).
/// </summary>
public sealed class UploadQuotaTests
{
    [Fact]
    public async Task AtTheCapAYoungIndexRowWithoutASessionIsKeptAsAStartInProgress()
    {
        await using var harness = RegistryHarness.InMemory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var quota = new UploadQuota(harness.Storage, new RegistryOptions { MaxOpenUploadsPerCaller = 1 }, clock);
        await WriteIndexRowAsync(harness, "starting", clock.GetUtcNow());

        var refused = await Assert.ThrowsAsync<RegistryException>(() => quota.ReserveAsync("bob", "next", CancellationToken.None));

        Assert.Equal(ErrorKind.TooManyRequests, refused.Kind);
        Assert.NotNull(await harness.Storage.Metadata.GetAsync(harness.Storage.Layout.UploadsTable, StorageLayout.UploadOwnerKey("bob"), "starting", CancellationToken.None));
    }

    [Fact]
    public async Task AtTheCapAnOldIndexRowWithoutASessionIsRemovedAndFreesItsPlace()
    {
        await using var harness = RegistryHarness.InMemory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var quota = new UploadQuota(harness.Storage, new RegistryOptions { MaxOpenUploadsPerCaller = 1 }, clock);
        await WriteIndexRowAsync(harness, "crashed", clock.GetUtcNow());
        clock.Advance(TimeSpan.FromMinutes(2));

        await quota.ReserveAsync("bob", "next", CancellationToken.None);

        Assert.Null(await harness.Storage.Metadata.GetAsync(harness.Storage.Layout.UploadsTable, StorageLayout.UploadOwnerKey("bob"), "crashed", CancellationToken.None));
    }

    private static Task WriteIndexRowAsync(RegistryHarness harness, string uploadId, DateTimeOffset createdAt) =>
        harness.Storage.Metadata.ExecuteAsync(harness.Storage.Layout.UploadsTable,
            RowOperation.Insert(new OpenUploadIndexRow(createdAt).ToRow("bob", uploadId)), CancellationToken.None);
}
