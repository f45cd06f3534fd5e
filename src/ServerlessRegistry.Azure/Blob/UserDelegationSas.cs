namespace ServerlessRegistry.Azure.Blob;

/// <summary>
/// User delegation SAS (sv=2025-05-05, 24-field layout), signed with a key fetched with the bearer pipeline.
/// The key is cached and replaced once less than half its life remains, so every SAS's expiry falls inside it;
/// concurrent callers that find it stale share one refresh.
/// </summary>
internal sealed class UserDelegationSas(BlobRestClient rest, TimeProvider time) : IBlobReadSigner
{
    /// <summary>Lifetime requested for each key (the service allows 7 days).</summary>
    public static readonly TimeSpan KeyLifetime = TimeSpan.FromDays(2);

    /// <summary>The longest SAS this signer mints: a key is never used with less than this left.</summary>
    public static readonly TimeSpan MaxLifetime = KeyLifetime / 2;

    private readonly Lock _gate = new();
    private volatile CachedKey? _current;
    private Task<CachedKey>? _refresh;

    public async ValueTask<string> SignReadAsync(string container, string blobName, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lifetime, MaxLifetime);
        var key = await GetKeyAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        // The key starts ClockSkew before it was fetched, so this start time always lies inside it.
        var start = BlobSas.FormatTime(now - BlobSas.ClockSkew);
        var expiry = BlobSas.FormatTime(now + lifetime);
        var protocol = BlobSas.Protocol(rest.IsHttps);
        var k = key.Key;
        var stringToSign = StringToSign(start, expiry, BlobSas.CanonicalResource(rest.AccountName, container, blobName), k, protocol);
        var signature = BlobSas.Sign(key.Secret, stringToSign);
        return $"sv={BlobSas.Version}&sr=b&sp=r&st={BlobSas.Encode(start)}&se={BlobSas.Encode(expiry)}" +
               $"&skoid={BlobSas.Encode(k.SignedOid)}&sktid={BlobSas.Encode(k.SignedTid)}&skt={BlobSas.Encode(k.SignedStart)}" +
               $"&ske={BlobSas.Encode(k.SignedExpiry)}&sks={BlobSas.Encode(k.SignedService)}&skv={BlobSas.Encode(k.SignedVersion)}" +
               $"&spr={BlobSas.Encode(protocol)}&sig={BlobSas.Encode(signature)}";
    }

    /// <summary>The 24 user delegation SAS fields for a read of one blob, in the order sv 2020-12-06…2025-05-05 signs them.</summary>
    internal static string StringToSign(string start, string expiry, string canonicalResource, UserDelegationKey key, string protocol) => string.Join('\n',
        "r", start, expiry, canonicalResource,
        // Key fields exactly as the service returned them: it signs its own strings, not a reformatted time.
        key.SignedOid, key.SignedTid, key.SignedStart, key.SignedExpiry, key.SignedService, key.SignedVersion,
        "", // saoid
        "", // suoid
        "", // scid
        "", // sip
        protocol, BlobSas.Version, "b",
        "", // snapshot time
        "", // ses
        "", "", "", "", ""); // rscc, rscd, rsce, rscl, rsct

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
        using var message = await rest.GetUserDelegationKeyAsync(
            BlobSas.FormatTime(now - BlobSas.ClockSkew), BlobSas.FormatTime(now + KeyLifetime), CancellationToken.None).ConfigureAwait(false);
        var response = message.Response;
        if (response.Status != 200)
        {
            throw BlobErrors.Failure("Get User Delegation Key", response);
        }

        var key = BlobXml.ParseUserDelegationKey(response.ContentStream ?? Stream.Null);
        var cached = new CachedKey(key, Convert.FromBase64String(key.Value), now + (KeyLifetime / 2));
        _current = cached;
        return cached;
    }

    private sealed record CachedKey(UserDelegationKey Key, byte[] Secret, DateTimeOffset RefreshAt);
}
