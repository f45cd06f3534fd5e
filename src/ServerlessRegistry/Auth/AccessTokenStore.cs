using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Auth;

/// <summary>An access token as stored (never the secret).</summary>
internal sealed record AccessTokenInfo(string Name, string Id, IReadOnlyList<string> Repositories, RegistryActions Actions, DateTimeOffset ExpiresAt, DateTimeOffset CreatedAt)
{
    public IReadOnlyList<Grant> Policy => [.. Repositories.Select(r => new Grant(r, Actions))];
}

/// <summary>
/// Repository-scoped access tokens for people outside the tenant: rows in the private auth table, partition
/// "tokens", row key = the token's name (its docker login username).
/// </summary>
/// <remarks>
/// <para>The secret is 32 random bytes (base64url, prefixed "srt_"); only its SHA-256 is stored. A slow password
/// hash adds nothing for a 256-bit random secret. Comparison is constant-time.</para>
/// <para>Revoking deletes the row. Sign-in (<see cref="VerifyAsync"/>, refresh) always reads the row, so a revoked token
/// is refused at once there. Bearer tokens minted from it carry its "name/id" and <see cref="IsActiveAsync"/> re-checks
/// the row at most every Auth:RevocationCheckInterval per instance. Each creation gets a new Id, so re-creating a
/// name never revives tokens minted from the old one. Thread-safe.</para>
/// </remarks>
internal sealed class AccessTokenStore(RegistryStorage storage, AuthOptions options, TimeProvider time)
{
    public const string Partition = AccessTokenRow.Partition;
    public const string SecretPrefix = "srt_";
    private readonly ConcurrentDictionary<string, (bool Active, DateTimeOffset CheckedAt)> _checks = new(StringComparer.Ordinal);

    /// <summary>Names are docker login usernames and table keys: 1–64 of [a-z0-9._-], starting with a letter or digit.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetterOrDigit(name[0]) &&
        name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-') &&
        name != Credentials.EntraUserName;

    /// <summary>
    /// Creates a token. Not idempotent: fails with <see cref="ConcurrencyException"/> when the name exists, and with
    /// <see cref="ArgumentException"/> for a bad name or a repository pattern that is not <see cref="Grant.IsValidPattern"/>.
    /// </summary>
    public async Task<(AccessTokenInfo Info, string Secret)> CreateAsync(string name, IReadOnlyList<string> repositories, RegistryActions actions, DateTimeOffset expiresAt, CancellationToken ct)
    {
        Check(name, repositories, actions);
        var secret = SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var info = new AccessTokenInfo(name, Base64Url(RandomNumberGenerator.GetBytes(9)), repositories, actions, expiresAt, time.GetUtcNow());
        var row = new AccessTokenRow(info.Id, Hash(secret), ToJson(repositories), RegistryScope.FormatActions(actions), expiresAt, info.CreatedAt).ToRow(name);
        await storage.Metadata.ExecuteAsync(storage.Layout.AuthTable, RowOperation.Insert(row), ct).ConfigureAwait(false);
        return (info, secret);
    }

    /// <summary>Every token, expired ones included, in name order.</summary>
    public async Task<List<AccessTokenInfo>> ListAsync(CancellationToken ct)
    {
        var tokens = new List<AccessTokenInfo>();
        var query = new RowQuery { PartitionKey = Partition };
        do
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.AuthTable, query, ct).ConfigureAwait(false);
            tokens.AddRange(page.Rows.Select(FromRow));
            query = query with { Continuation = page.Continuation };
        }
        while (query.Continuation is not null);
        return tokens;
    }

    /// <summary>The token with this name, expired or not; null when there is none (or the name is not a token name).</summary>
    public async Task<AccessTokenInfo?> GetAsync(string name, CancellationToken ct)
    {
        var row = IsValidName(name) ? await storage.Metadata.GetAsync(storage.Layout.AuthTable, Partition, name, ct).ConfigureAwait(false) : null;
        return row is null ? null : FromRow(row);
    }

    /// <summary>
    /// Replaces the repositories and actions of the token named <paramref name="name"/> whose id is <paramref name="id"/>,
    /// keeping its secret, id, expiry and creation time; returns it as stored, or null when no such token exists (revoked,
    /// or re-created under the name, which gives a new id).
    /// </summary>
    /// <remarks>
    /// Idempotent: the same grant again writes the same values. One read and a replace conditional on the ETag read, so a
    /// token revoked and re-created in between is never given this grant: the replace fails with
    /// <see cref="ConcurrencyException"/> and nothing is written. Sign-in and refresh read the row, so they use the new
    /// grant at once. The token gets a new id (its secret stays): bearer tokens, refresh tokens and web sessions minted
    /// from the old grant name the old "name/id", so the revocation check ends them within Auth:RevocationCheckInterval
    /// and a narrowed grant, an admin one above all, is not kept by what was minted before.
    /// The same validation as <see cref="CreateAsync"/> (<see cref="ArgumentException"/>).
    /// </remarks>
    public async Task<AccessTokenInfo?> UpdateGrantAsync(string name, string id, IReadOnlyList<string> repositories, RegistryActions actions, CancellationToken ct)
    {
        CheckGrant(repositories, actions);
        var row = IsValidName(name) ? await storage.Metadata.GetAsync(storage.Layout.AuthTable, Partition, name, ct).ConfigureAwait(false) : null;
        var stored = row is null ? null : AccessTokenRow.FromRow(row);
        if (row?.ETag is not { } etag || stored is null || stored.Id != id)
        {
            return null;
        }

        var updated = stored with { Id = Base64Url(RandomNumberGenerator.GetBytes(9)), Repositories = ToJson(repositories), Actions = RegistryScope.FormatActions(actions) };
        await storage.Metadata.ExecuteAsync(storage.Layout.AuthTable, RowOperation.Replace(updated.ToRow(name), etag), ct).ConfigureAwait(false);
        Forget(name);
        return FromRow(updated.ToRow(name));
    }

    /// <summary>Deletes the token. Idempotent: false when there was none.</summary>
    public async Task<bool> RevokeAsync(string name, CancellationToken ct)
    {
        if (!IsValidName(name))
        {
            return false;
        }

        try
        {
            await storage.Metadata.ExecuteAsync(storage.Layout.AuthTable, RowOperation.Delete(Partition, name), ct).ConfigureAwait(false);
            Forget(name);
            return true;
        }
        catch (ConcurrencyException)
        {
            return false;
        }
    }

    /// <summary>The token when <paramref name="secret"/> is its secret and it has not expired; else null. Always reads storage.</summary>
    public async Task<AccessTokenInfo?> VerifyAsync(string name, string secret, CancellationToken ct)
    {
        var row = IsValidName(name) ? await storage.Metadata.GetAsync(storage.Layout.AuthTable, Partition, name, ct).ConfigureAwait(false) : null;
        if (row is null || AccessTokenRow.FromRow(row).Hash is not { } stored || !CryptographicOperations.FixedTimeEquals(stored, Hash(secret)))
        {
            return null;
        }

        var info = FromRow(row);
        return info.ExpiresAt > time.GetUtcNow() ? info : null;
    }

    /// <summary>The token with this name and id, unexpired; else null. Always reads storage (refresh grants).</summary>
    public async Task<AccessTokenInfo?> FindAsync(string name, string id, CancellationToken ct)
    {
        var row = IsValidName(name) ? await storage.Metadata.GetAsync(storage.Layout.AuthTable, Partition, name, ct).ConfigureAwait(false) : null;
        var info = row is null ? null : FromRow(row);
        return info is not null && info.Id == id && info.ExpiresAt > time.GetUtcNow() ? info : null;
    }

    /// <summary>Whether "name/id" is still active, trusting an earlier answer for up to the revocation check interval.</summary>
    public async ValueTask<bool> IsActiveAsync(string reference, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_checks.TryGetValue(reference, out var check) && now - check.CheckedAt < options.RevocationCheckInterval)
        {
            return check.Active;
        }

        var slash = reference.IndexOf('/', StringComparison.Ordinal);
        var active = slash > 0 && await FindAsync(reference[..slash], reference[(slash + 1)..], ct).ConfigureAwait(false) is not null;
        if (_checks.Count > 10_000)
        {
            _checks.Clear();
        }

        _checks[reference] = (active, now);
        return active;
    }

    /// <summary>Drops this instance's remembered revocation checks for the name, so the next check reads the row.</summary>
    private void Forget(string name)
    {
        foreach (var reference in _checks.Keys.Where(k => k.StartsWith(name + "/", StringComparison.Ordinal)))
        {
            _checks.TryRemove(reference, out _);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong with a token's name or grant, as <see cref="CreateAsync"/> does.</summary>
    public static void Check(string name, IReadOnlyList<string> repositories, RegistryActions actions)
    {
        if (!IsValidName(name))
        {
            throw new ArgumentException("A token name is 1-64 of a-z, 0-9, '.', '_' or '-', starting with a letter or digit.", nameof(name));
        }

        CheckGrant(repositories, actions);
    }

    private static void CheckGrant(IReadOnlyList<string> repositories, RegistryActions actions)
    {
        if (repositories.FirstOrDefault(r => !Grant.IsValidPattern(r)) is { } bad)
        {
            throw new ArgumentException($"'{bad}' is not a repository pattern: use a repository name, a prefix ending in '*' (team/*), or '*'.", nameof(repositories));
        }

        if (actions.HasFlag(RegistryActions.Admin) && repositories is not ["*"])
        {
            throw new ArgumentException("An admin token is registry-wide: give '*' as its only repository.", nameof(repositories));
        }
    }

    private static AccessTokenInfo FromRow(TableRow row)
    {
        var stored = AccessTokenRow.FromRow(row);
        return new(
            row.RowKey,
            stored.Id ?? "",
            Patterns(stored.Repositories),
            RegistryScope.ParseActions(stored.Actions ?? ""),
            stored.ExpiresAt ?? DateTimeOffset.MinValue,
            stored.CreatedAt ?? DateTimeOffset.MinValue);
    }

    /// <summary>The patterns as a JSON array of strings: nothing in a pattern can split it into two.</summary>
    private static string ToJson(IReadOnlyList<string> patterns)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var pattern in patterns)
            {
                json.WriteStringValue(pattern);
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A JSON array, or (rows written before the array) space-separated patterns; no pattern starts with '['.</summary>
    private static string[] Patterns(string? stored)
    {
        if (stored is null || !stored.StartsWith('['))
        {
            return (stored ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }

        using var document = JsonDocument.Parse(stored);
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "")];
    }

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
