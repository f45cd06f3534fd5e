namespace ServerlessRegistry.Auth;

/// <summary>
/// Bearer tokens already validated, with what they grant, so a repeat costs a lookup rather than an RS256 check.
/// Bounded by entry count and by an estimate of the memory the entries hold.
/// </summary>
/// <remarks>
/// Only signed-in callers are kept: anonymous tokens are free to mint in any number and size, and what they grant
/// (anonymous pull) is decided without a token anyway, so caching them would let anyone fill the cache. When an
/// entry would break a bound, expired entries go first and, if that is not enough, everything: re-validating is
/// cheap, an unbounded cache is not. Thread-safe (one lock; an eviction scans the entries once).
/// </remarks>
internal sealed class ValidatedTokenCache(int maxEntries = ValidatedTokenCache.DefaultMaxEntries, long maxBytes = ValidatedTokenCache.DefaultMaxBytes)
{
    public const int DefaultMaxEntries = 10_000;
    public const long DefaultMaxBytes = 16L * 1024 * 1024;

    private readonly Dictionary<string, (Caller Caller, long Bytes)> _entries = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private long _bytes;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>The estimated memory held by the entries, in bytes.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The caller of <paramref name="token"/> when it was validated earlier and has not expired by <paramref name="now"/>.</summary>
    public Caller? Get(string token, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(token, out var entry))
            {
                return null;
            }

            if (entry.Caller.Expires > now)
            {
                return entry.Caller;
            }

            Remove(token, entry.Bytes);
            return null;
        }
    }

    /// <summary>Remembers a validated token; anonymous callers and entries larger than the whole budget are not kept.</summary>
    public void Add(string token, Caller caller, DateTimeOffset now)
    {
        if (caller.Subject == Principal.Anonymous.Subject)
        {
            return;
        }

        var bytes = Estimate(token, caller);
        if (bytes > maxBytes)
        {
            return;
        }

        lock (_lock)
        {
            if (_entries.Remove(token, out var old))
            {
                _bytes -= old.Bytes;
            }

            if (_entries.Count + 1 > maxEntries || _bytes + bytes > maxBytes)
            {
                foreach (var (key, entry) in _entries.Where(e => e.Value.Caller.Expires <= now).ToList())
                {
                    Remove(key, entry.Bytes);
                }
            }

            if (_entries.Count + 1 > maxEntries || _bytes + bytes > maxBytes)
            {
                _entries.Clear();
                _bytes = 0;
            }

            _entries[token] = (caller, bytes);
            _bytes += bytes;
        }
    }

    private void Remove(string token, long bytes)
    {
        _entries.Remove(token);
        _bytes -= bytes;
    }

    /// <summary>Strings at two bytes a character plus a fixed overhead per object; an estimate, not a measurement.</summary>
    private static long Estimate(string token, Caller caller)
    {
        const int Overhead = 64;
        long bytes = 2 * Overhead + 2L * token.Length + 2L * caller.Subject.Length + 2L * (caller.AccessToken?.Length ?? 0);
        foreach (var name in caller.Access.Keys)
        {
            bytes += Overhead + 2L * name.Length;
        }

        foreach (var grant in caller.Policy)
        {
            bytes += Overhead + 2L * grant.Pattern.Length;
        }

        return bytes;
    }
}
