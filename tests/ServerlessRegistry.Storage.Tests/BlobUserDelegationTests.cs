using System.Text;
using System.Web;
using Azure.Core;
using ServerlessRegistry.Azure;
using ServerlessRegistry.Azure.Blob;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Storage.Tests;

/// <summary>
/// Token mode: read URLs are user-delegation SAS signed with a cached key. Azurite serves that key only with
/// OAuth over HTTPS, so the key endpoint is faked here; the SDK signs, and the test checks what it was given.
/// </summary>
public sealed class BlobUserDelegationTests
{
    private static readonly DateTimeOffset Start = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private const string KeyOid = "11111111-1111-1111-1111-111111111111";
    private const string KeyTid = "22222222-2222-2222-2222-222222222222";
    private const string KeyStart = "2024-01-02T02:59:05Z";
    private const string KeyExpiry = "2024-01-04T03:04:05Z";
    private static readonly string KeyValue = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

    private readonly BlobFixedTime _time = new(Start);
    private readonly List<string> _keyRequests = [];
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _failuresLeft;

    public BlobUserDelegationTests() => _gate.SetResult();

    private IBlobStore NewStore() => AzureStorage.CreateBlobStore(new AzureStorageOptions
    {
        BlobEndpoint = new Uri("https://acct.blob.core.windows.net"),
        TableEndpoint = new Uri("https://acct.table.core.windows.net"),
        AccountName = "acct",
        Credential = new BlobFakeCredential(),
        Transport = new BlobFakeTransport(AnswerAsync),
    }, new StorageLayout("reg"), _time);

    private async Task<(int, byte[])> AnswerAsync(Request request)
    {
        Assert.Equal(RequestMethod.Post, request.Method);
        Assert.Equal("https://acct.blob.core.windows.net/?restype=service&comp=userdelegationkey", request.Uri.ToUri().AbsoluteUri);
        Assert.True(request.Headers.TryGetValue("Authorization", out var authorization));
        Assert.Equal("Bearer fake-token", authorization);
        using var body = new MemoryStream();
        await request.Content!.WriteToAsync(body, default);
        lock (_keyRequests)
        {
            _keyRequests.Add(Encoding.UTF8.GetString(body.ToArray()));
        }

        await _gate.Task;
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return (403, Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>AuthorizationPermissionMismatch</Code></Error>"));
        }

        // Azure prefixes XML answers with a BOM; the parser must take it.
        return (200, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(
            $"<?xml version=\"1.0\" encoding=\"utf-8\"?><UserDelegationKey><SignedOid>{KeyOid}</SignedOid><SignedTid>{KeyTid}</SignedTid>" +
            $"<SignedStart>{KeyStart}</SignedStart><SignedExpiry>{KeyExpiry}</SignedExpiry><SignedService>b</SignedService>" +
            $"<SignedVersion>2025-05-05</SignedVersion><Value>{KeyValue}</Value></UserDelegationKey>")]);
    }

    [Fact]
    public async Task ReadUriCarriesTheKeyFieldsForOneBlobReadOnlyOverHttps()
    {
        var uri = await NewStore().GetReadUriAsync("manifests/sha256/ab", TimeSpan.FromHours(1), default);

        Assert.Equal("/reg/manifests/sha256/ab", uri.AbsolutePath);
        var keyRequest = Assert.Single(_keyRequests);
        Assert.Contains("<Start>2024-01-02T02:59:05Z</Start><Expiry>2024-01-04T03:04:05Z</Expiry>", keyRequest, StringComparison.Ordinal);
        var query = HttpUtility.ParseQueryString(uri.Query);
        Assert.Equal(
            [("sr", "b"), ("sp", "r"), ("st", "2024-01-02T02:59:05Z"), ("se", "2024-01-02T04:04:05Z"),
             ("skoid", KeyOid), ("sktid", KeyTid), ("skt", KeyStart), ("ske", KeyExpiry), ("sks", "b"), ("skv", "2025-05-05"), ("spr", "https")],
            new[] { "sr", "sp", "st", "se", "skoid", "sktid", "skt", "ske", "sks", "skv", "spr" }.Select(name => (name, query[name])));
        Assert.NotEmpty(query["sv"]!);
        Assert.Equal(32, Convert.FromBase64String(query["sig"]!).Length);
    }

    [Fact]
    public async Task KeyIsCachedUntilHalfItsLifeIsGone()
    {
        var store = NewStore();
        await store.GetReadUriAsync("data/a", TimeSpan.FromMinutes(10), default);
        _time.Now = Start + (UserDelegationSasSigner.KeyLifetime / 2) - TimeSpan.FromSeconds(1);
        await store.GetReadUriAsync("data/b", TimeSpan.FromMinutes(10), default);
        Assert.Single(_keyRequests);

        _time.Now = Start + (UserDelegationSasSigner.KeyLifetime / 2);
        await store.GetReadUriAsync("data/c", TimeSpan.FromMinutes(10), default);
        Assert.Equal(2, _keyRequests.Count);
    }

    [Fact]
    public async Task ConcurrentCallersShareOneKeyFetch()
    {
        _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = NewStore();

        var calls = Enumerable.Range(0, 8).Select(i => store.GetReadUriAsync("data/" + i, TimeSpan.FromMinutes(10), default).AsTask()).ToArray();
        await Task.Delay(50);
        _gate.SetResult();
        await Task.WhenAll(calls);

        Assert.Single(_keyRequests);
    }

    [Fact]
    public async Task FailedKeyFetchIsReportedAndNotCached()
    {
        _failuresLeft = 1;
        var store = NewStore();

        var e = await Assert.ThrowsAsync<StorageException>(async () => await store.GetReadUriAsync("data/a", TimeSpan.FromMinutes(10), default));
        Assert.Equal(403, e.Status);
        Assert.Equal("AuthorizationPermissionMismatch", e.ErrorCode);
        Assert.Equal(StorageFailure.AccessDenied, e.Failure);

        await store.GetReadUriAsync("data/a", TimeSpan.FromMinutes(10), default);
        Assert.Equal(2, _keyRequests.Count);
    }

    [Fact]
    public async Task LifetimeLongerThanTheKeyGuaranteesIsRejected() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await NewStore().GetReadUriAsync("data/a", UserDelegationSasSigner.MaxLifetime + TimeSpan.FromSeconds(1), default));
}
