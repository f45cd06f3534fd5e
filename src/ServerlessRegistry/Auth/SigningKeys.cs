using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Auth;

/// <summary>
/// The registry's token signing keys: an RSA-2048 key (RS256: the cheapest signature to verify, which every request
/// does) kept in the private auth table, never in configuration.
/// </summary>
/// <remarks>
/// <para>Created on first use, never at start. Two instances racing on the first use both try insert-if-absent on
/// one row; the loser re-reads, so both end up signing with the same key.</para>
/// <para>Rotation: the <c>kid</c> names the key in every token. Rows other than "active" in the "keys" partition are
/// accepted for validation only, so an operator rotates by copying "active" to "retired-{kid}" and deleting
/// "active" (the next use creates a new one). An unknown kid makes an instance reload, at most once a minute.</para>
/// <para>Thread-safe. After the first load every call is answered from memory.</para>
/// </remarks>
internal sealed class SigningKeys(RegistryStorage storage, TimeProvider time)
{
    public const string Partition = SigningKeyRow.Partition;
    public const string ActiveRow = SigningKeyRow.ActiveKey;
    private static readonly TimeSpan ReloadThrottle = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private Task<KeySet>? _load;
    private DateTimeOffset _loadedAt;

    /// <summary>The key set, loading (or creating) it on first use. A failed load is retried by the next call.</summary>
    public Task<KeySet> GetAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_load is null || _load.IsFaulted || _load.IsCanceled)
            {
                _loadedAt = time.GetUtcNow();
                _load = LoadOrCreateAsync(CancellationToken.None);
            }

            return _load.WaitAsync(ct);
        }
    }

    /// <summary>Asks for a reload because a token named an unknown kid; throttled so forged kids cannot cause I/O storms.</summary>
    public Task<KeySet> ReloadAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_load is { IsCompletedSuccessfully: true } && time.GetUtcNow() - _loadedAt >= ReloadThrottle)
            {
                _load = null;
            }
        }

        return GetAsync(ct);
    }

    private async Task<KeySet> LoadOrCreateAsync(CancellationToken ct)
    {
        var table = storage.Layout.AuthTable;
        var page = await storage.Metadata.QueryAsync(table, new RowQuery { PartitionKey = Partition }, ct).ConfigureAwait(false);
        var rows = page.Rows.ToList();
        if (!rows.Any(r => r.RowKey == ActiveRow))
        {
            using var rsa = RSA.Create(2048);
            var row = new SigningKeyRow(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), rsa.ExportPkcs8PrivateKey(), time.GetUtcNow()).ToRow();
            try
            {
                await storage.Metadata.ExecuteAsync(table, RowOperation.Insert(row), ct).ConfigureAwait(false);
                rows.Add(row);
            }
            catch (ConcurrencyException)
            {
                // Another instance created it first: use theirs.
                rows.Add(await storage.Metadata.GetAsync(table, Partition, ActiveRow, ct).ConfigureAwait(false)
                         ?? throw new InvalidOperationException("The signing key row vanished while being created."));
            }
        }

        var keys = rows.Select(ToKey).ToList();
        return new KeySet(keys[rows.FindIndex(r => r.RowKey == ActiveRow)], keys);
    }

    private static RsaSecurityKey ToKey(TableRow row)
    {
        var rsa = RSA.Create();
        var stored = SigningKeyRow.FromRow(row);
        rsa.ImportPkcs8PrivateKey(stored.Key, out _);
        return new RsaSecurityKey(rsa) { KeyId = stored.Kid };
    }
}

/// <summary>The key that signs new tokens, and every key whose tokens are still accepted.</summary>
internal sealed record KeySet(RsaSecurityKey Active, IReadOnlyList<SecurityKey> All);
