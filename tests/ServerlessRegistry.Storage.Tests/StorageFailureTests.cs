using Azure.Core;
using Azure.Identity;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>
/// What the Azure adapters report when storage cannot serve them: refused credentials read the same on both
/// services, and unreachable storage is "unavailable". Nothing of the Azure client types escapes.
/// </summary>
public sealed class StorageFailureTests
{
    private static readonly StorageLayout Layout = new(Azurite.NewPrefix());

    [Fact]
    public async Task AWrongAccountKeyIsTheSameAccessDeniedOnBlobsAndTables()
    {
        var azurite = await Azurite.GetAsync();
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var storage = new AzureStorage(AzureStorageOptions.ForEmulator(azurite.BlobEndpoint, azurite.TableEndpoint, Azurite.AccountName, wrongKey),
            TimeProvider.System);

        var blob = await Assert.ThrowsAsync<StorageException>(() => storage.CreateBlobStore(Layout).ReadAllAsync("data/a", default));
        var table = await Assert.ThrowsAsync<StorageException>(() => storage.CreateMetadataStore().GetAsync(Layout.BlobIndexTable, "p", "r", default));

        Assert.Equal(StorageFailure.AccessDenied, blob.Failure);
        Assert.Equal(StorageFailure.AccessDenied, table.Failure);
        Assert.Equal(403, blob.Status);
        Assert.Equal(403, table.Status);
        Assert.Contains($"storage account '{Azurite.AccountName}' refused the registry's credentials", blob.Message, StringComparison.Ordinal);
        Assert.Contains($"storage account '{Azurite.AccountName}' refused the registry's credentials", table.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACredentialThatCannotGetATokenIsAccessDeniedOnBothServices()
    {
        var storage = new AzureStorage(new AzureStorageOptions
        {
            BlobEndpoint = new Uri("https://acct.blob.core.windows.net"),
            TableEndpoint = new Uri("https://acct.table.core.windows.net"),
            AccountName = "acct",
            Credential = new UnavailableCredential(),
        }, TimeProvider.System);

        var blob = await Assert.ThrowsAsync<StorageException>(() => storage.CreateBlobStore(Layout).DeleteAsync("data/a", default));
        var table = await Assert.ThrowsAsync<StorageException>(() =>
            storage.CreateMetadataStore().ExecuteAsync(Layout.BlobIndexTable, RowOperation.Upsert(new TableRow("p", "r")), default));

        Assert.Equal(StorageFailure.AccessDenied, blob.Failure);
        Assert.Equal(StorageFailure.AccessDenied, table.Failure);
        Assert.Contains("no identity is configured here", blob.Message, StringComparison.Ordinal);
        Assert.Contains("no identity is configured here", table.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StorageThatRefusesConnectionsIsUnavailableOnBothServices()
    {
        var port = Azurite.FreePort(); // nothing listens there
        var storage = new AzureStorage(AzureStorageOptions.ForEmulator(new Uri($"http://127.0.0.1:{port}/{Azurite.AccountName}"),
            new Uri($"http://127.0.0.1:{port}/{Azurite.AccountName}"), Azurite.AccountName, Azurite.AccountKey), TimeProvider.System);

        var blob = await Assert.ThrowsAsync<StorageException>(() => storage.CreateBlobStore(Layout).StageBlockAsync("data/a", StorageLayout.BlockId(1, 0), new byte[10], default));
        var table = await Assert.ThrowsAsync<StorageException>(() => storage.CreateMetadataStore().QueryAsync(Layout.BlobIndexTable, new RowQuery(), default));

        Assert.Equal(StorageFailure.Unavailable, blob.Failure);
        Assert.Equal(StorageFailure.Unavailable, table.Failure);
    }

    [Fact]
    public async Task TheCallersOwnCancellationIsNotAStorageFailure()
    {
        var azurite = await Azurite.GetAsync();
        var storage = new AzureStorage(BlobTestSupport.EmulatorOptions(azurite), TimeProvider.System);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.CreateBlobStore(Layout).ReadAllAsync("data/a", cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.CreateMetadataStore().GetAsync(Layout.BlobIndexTable, "p", "r", cancelled.Token));
    }

    private sealed class UnavailableCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("no identity is configured here");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new CredentialUnavailableException("no identity is configured here");
    }
}
