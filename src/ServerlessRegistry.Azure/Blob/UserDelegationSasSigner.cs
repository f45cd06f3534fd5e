using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace ServerlessRegistry.Azure.Blob;

/// <summary>
/// User delegation SAS, signed with a key the service hands out for the registry's identity. The key is cached
/// and replaced once less than half its life remains, so every SAS's expiry falls inside it; concurrent callers
/// that find it stale share one refresh. A failed refresh is reported to its callers and not cached.
/// </summary>
internal sealed class UserDelegationSasSigner(BlobServiceClient service, StorageErrors errors, TimeProvider time) : IBlobReadSigner
{
    /// <summary>Lifetime requested for each key (the service allows 7 days).</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(2);

    /// <summary>The longest SAS this signer mints: a key is never used with less than this left.</summary>
    public static readonly TimeSpan MaxLifetime = KeyLifetime / 2;

    private readonly Lock _gate = new();
    private volatile CachedKey? _current;
    private Task<CachedKey>? _refresh;

    public async ValueTask<string> SignReadAsync(Uri blobUri, string container, string blobName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, MaxLifetime);
        var key = await GetKeyAsync(cancellationToken).ConfigureAwait(false);
        // The key starts ClockSkew before it was fetched, so the SAS's start time always lies inside it.
        return ReadSas.For(blobUri, container, blobName, time.GetUtcNow(), lifetime)
            .ToSasQueryParameters(key.Key, service.AccountName).ToString();
    }

    private ValueTask<CachedKey> GetKeyAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && time.GetUtcNow() < current.RefreshAt)
        {
            return ValueTask.FromResult(current);
        }

        Task<CachedKey> refresh;
        lock (_gate)
        {
            current = _current;
            if (current is not null && time.GetUtcNow() < current.RefreshAt)
            {
                return ValueTask.FromResult(current);
            }

            // A finished refresh either failed (try again) or produced a key that is stale by now.
            if (_refresh is null || _refresh.IsCompleted)
            {
                _refresh = Task.Run(FetchAsync, CancellationToken.None);
            }

            refresh = _refresh;
        }

        // One caller giving up must not cancel the fetch the others are waiting for.
        return new ValueTask<CachedKey>(refresh.WaitAsync(cancellationToken));
    }

    private async Task<CachedKey> FetchAsync()
    {
        var now = time.GetUtcNow();
        UserDelegationKey key;
        try
        {
            var request = new BlobGetUserDelegationKeyOptions(ReadSas.Truncate(now + KeyLifetime)) { StartsOn = ReadSas.Truncate(now - ReadSas.ClockSkew) };
            key = (await service.GetUserDelegationKeyAsync(request).ConfigureAwait(false)).Value;
        }
        catch (Exception e) when (StorageErrors.IsStorageFailure(e, CancellationToken.None))
        {
            throw errors.Translate(e, "Get User Delegation Key");
        }

        var cached = new CachedKey(key, now + (KeyLifetime / 2));
        _current = cached;
        return cached;
    }

    private sealed record CachedKey(UserDelegationKey Key, DateTimeOffset RefreshAt);
}
