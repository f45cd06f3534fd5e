using System.Text.RegularExpressions;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies;

/// <summary>
/// Reads and writes rules and locks (<see cref="PolicyLayout"/>). Writes are single-row upserts and deletes, idempotent;
/// two operators changing the same rule at once: the last write wins. Other instances see a change within
/// <see cref="PolicyCache.MaxStaleness"/>.
/// </summary>
internal sealed partial class PolicyStore(RegistryStorage storage, TimeProvider time)
{
    // Far above what an operator manages by hand; a bound so a damaged table cannot exhaust memory on every instance.
    private const int MaxRows = 10_000;
    internal const int MaxKeyLength = 512;

    private string Table => PolicyLayout.Table(storage.Layout);

    /// <summary>Every rule and lock: two partition queries, run together. Rules in name order, locks in target order.</summary>
    /// <exception cref="FormatException">A stored rule or lock is unreadable (the message names it), or there are more than
    /// <see cref="MaxRows"/> of either: applying only some of them could drop an immutable rule or a lock.</exception>
    public async Task<PolicySet> LoadAsync(CancellationToken ct)
    {
        var rulesQuery = storage.QueryAllAsync(Table, new RowQuery { PartitionKey = PolicyLayout.RulesPartition }, MaxRows + 1, ct);
        var locksQuery = storage.QueryAllAsync(Table, new RowQuery { PartitionKey = PolicyLayout.LocksPartition }, MaxRows + 1, ct);
        await Task.WhenAll(rulesQuery, locksQuery).ConfigureAwait(false);
        var (ruleRows, lockRows) = (await rulesQuery.ConfigureAwait(false), await locksQuery.ConfigureAwait(false));
        foreach (var (rows, what) in new[] { (ruleRows, "rules"), (lockRows, "locks") })
        {
            if (rows.Count > MaxRows)
            {
                throw new FormatException($"table {Table} holds more than {MaxRows} {what}; remove some ('policy list' shows them) so every instance can read them all.");
            }
        }

        var rules = ruleRows.Select(PolicyRuleRow.FromRow).ToList();
        return new PolicySet(
            [.. rules.OfType<RetentionRule>()], [.. rules.OfType<ImmutableRule>()], [.. rules.OfType<QuotaRule>()],
            [.. lockRows.Select(LockRow.FromRow).OrderBy(l => l.Target.ToString(), StringComparer.Ordinal)]);
    }

    /// <summary>
    /// Creates or replaces the rule named by <paramref name="rule"/> (a <see cref="RetentionRule"/>, <see cref="ImmutableRule"/>
    /// or <see cref="QuotaRule"/>). Refuses (<see cref="ArgumentException"/>, one line) a name held by a rule of another
    /// kind, or fields that do not make sense (<see cref="Check"/>). True when the rule was created, false when replaced.
    /// </summary>
    /// <remarks>The kind check and the write are one conditional step (insert if absent, else replace on the ETag read), so a
    /// concurrent write of another kind under the same name cannot slip between them.</remarks>
    public async Task<bool> PutAsync(object rule, CancellationToken ct)
    {
        if (Check(rule) is { } problem)
        {
            throw new ArgumentException(problem);
        }

        var (name, kind) = (PolicyRuleRow.NameOf(rule), PolicyRuleRow.KindOf(rule));
        for (var attempt = 0; ; attempt++)
        {
            var existing = await storage.Metadata.GetAsync(Table, PolicyLayout.RulesPartition, name, ct).ConfigureAwait(false);
            if (existing is not null && PolicyRuleRow.Kind(existing) is { } held && held != kind)
            {
                throw new ArgumentException($"the name '{name}' belongs to {(held.StartsWith('i') ? "an" : "a")} {held} rule; remove it first or pick another name.");
            }

            var row = PolicyRuleRow.ToRow(rule, time.GetUtcNow());
            try
            {
                await storage.Metadata.ExecuteAsync(Table, existing is null ? RowOperation.Insert(row) : RowOperation.Replace(row, existing.ETag ?? "*"), ct).ConfigureAwait(false);
                return existing is null;
            }
            catch (ConcurrencyException) when (attempt < 4)
            {
                // Another writer got there first: read again and decide again.
            }
        }
    }

    /// <summary>
    /// Deletes the rule named <paramref name="name"/>, whatever its row holds: its kind as stored ("" when the row has
    /// none, which may be a kind this version does not know), or null when there was no such rule. Idempotent.
    /// </summary>
    /// <remarks>Never parses the rule, so an unreadable one can be removed. The delete is on the ETag read, so the kind
    /// returned is the kind deleted even when another operator replaces the rule meanwhile.</remarks>
    public async Task<string?> RemoveAsync(string name, CancellationToken ct)
    {
        // A name outside the syntax was never stored, and may hold characters a table key cannot.
        if (!IsValidName(name))
        {
            return null;
        }

        for (var attempt = 0; ; attempt++)
        {
            if (await storage.Metadata.GetAsync(Table, PolicyLayout.RulesPartition, name, ct).ConfigureAwait(false) is not { } row)
            {
                return null;
            }

            try
            {
                await storage.Metadata.ExecuteAsync(Table, RowOperation.Delete(PolicyLayout.RulesPartition, name, row.ETag ?? "*"), ct).ConfigureAwait(false);
                return PolicyRuleRow.Kind(row) ?? "";
            }
            catch (ConcurrencyException) when (attempt < 4)
            {
                // Replaced or removed meanwhile: read again.
            }
        }
    }

    /// <summary>The rule named <paramref name="name"/>, of any kind; null when there is none. One point read.</summary>
    public async Task<object?> GetAsync(string name, CancellationToken ct) =>
        IsValidName(name) && await storage.Metadata.GetAsync(Table, PolicyLayout.RulesPartition, name, ct).ConfigureAwait(false) is { } row
            ? PolicyRuleRow.FromRow(row)
            : null;

    /// <summary>Creates or replaces the lock on its target. Idempotent; refuses a lock that neither blocks writes nor deletes.</summary>
    public async Task SetLockAsync(ItemLock itemLock, CancellationToken ct)
    {
        if (!itemLock.NoWrite && !itemLock.NoDelete)
        {
            throw new ArgumentException($"a lock on '{itemLock.Target}' must block writes, deletes or both.");
        }

        if (PolicyLayout.LockKey(itemLock.Target).Length > MaxKeyLength)
        {
            throw new ArgumentException($"'{itemLock.Target}' is too long to lock: a lock target is at most {MaxKeyLength / 2} characters.");
        }

        await storage.Metadata.ExecuteAsync(Table, RowOperation.Upsert(LockRow.ToRow(itemLock)), ct).ConfigureAwait(false);
    }

    /// <summary>Removes the lock on <paramref name="target"/>; false when there was none. Idempotent.</summary>
    public Task<bool> RemoveLockAsync(LockTarget target, CancellationToken ct) => RemoveLockAsync(target.ToString(), ct);

    /// <summary>
    /// Removes the lock whose stored target reads <paramref name="target"/>, whether or not that text still parses as a
    /// target (a row written by another version or mended by hand): the row keyed by the text, else every lock row whose
    /// Target property is the text. False when there was none. Idempotent; one point delete, plus one read of the locks
    /// when the key finds nothing.
    /// </summary>
    public async Task<bool> RemoveLockAsync(string target, CancellationToken ct)
    {
        var key = StorageLayout.RepositoryKey(target);
        if (target.Length == 0 || (key.Length <= MaxKeyLength && await DeleteAsync(PolicyLayout.LocksPartition, key, ct).ConfigureAwait(false)))
        {
            return target.Length > 0;
        }

        var query = new RowQuery { PartitionKey = PolicyLayout.LocksPartition, Select = [LockRow.TargetProperty] };
        var removed = false;
        foreach (var row in await storage.QueryAllAsync(Table, query, MaxRows + 1, ct).ConfigureAwait(false))
        {
            if (row.GetString(LockRow.TargetProperty) == target)
            {
                removed |= await DeleteAsync(PolicyLayout.LocksPartition, row.RowKey, ct).ConfigureAwait(false);
            }
        }

        return removed;
    }

    /// <summary>Rule names: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    /// <summary>Null when <paramref name="rule"/> can be stored, else what is wrong with it in one line.</summary>
    public static string? Check(object rule)
    {
        var name = rule switch { RetentionRule r => r.Name, ImmutableRule r => r.Name, QuotaRule r => r.Name, _ => null };
        if (name is null)
        {
            return $"{rule?.GetType().Name ?? "null"} is not a policy rule.";
        }

        if (!IsValidName(name))
        {
            return $"rule name '{name}' is not valid: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters.";
        }

        return rule switch
        {
            RetentionRule r => CheckRetention(r),
            ImmutableRule r => Pattern.Check(r.Repositories) ?? Pattern.Check(r.Tags),
            QuotaRule r => Pattern.Check(r.Repositories) ?? (r.LimitBytes > 0 ? null : $"quota '{name}' needs a limit above zero bytes."),
            _ => null,
        };
    }

    private static string? CheckRetention(RetentionRule rule)
    {
        var keep = rule.Keep;
        var keeps = HasCriteria(keep);
        return Pattern.Check(rule.Repositories)
            ?? rule.Tags.Concat(keep.Matching).Concat(keep.NotMatching).Select(Pattern.Check).FirstOrDefault(p => p is not null)
            ?? (keep.LastPushed < 1 ? $"retention '{rule.Name}': keep-last-pushed must be at least 1." : null)
            ?? (keep.LastPulled < 1 ? $"retention '{rule.Name}': keep-last-pulled must be at least 1." : null)
            ?? (keep.PushedWithin <= TimeSpan.Zero ? $"retention '{rule.Name}': keep-pushed-within must be longer than zero." : null)
            ?? (keep.PulledWithin <= TimeSpan.Zero ? $"retention '{rule.Name}': keep-pulled-within must be longer than zero." : null)
            ?? (rule.UntaggedAfter <= TimeSpan.Zero ? $"retention '{rule.Name}': untagged-after must be longer than zero." : null)
            ?? (!keeps && rule.UntaggedAfter is null ? $"retention '{rule.Name}' keeps nothing: give a keep criterion (e.g. keep the last 10 pushed) or a time-to-live for untagged manifests." : null)
            // A rule without keep criteria would delete every tag in its scope; it may only govern untagged manifests.
            ?? (!keeps && rule.Tags.Count > 0 ? $"retention '{rule.Name}' has tag patterns but no keep criterion, so it would delete every tag they match; give a keep criterion, or no tag patterns for a rule on untagged manifests only." : null)
            ?? (keeps && rule.Tags.Count == 0 ? $"retention '{rule.Name}' has keep criteria but no tag patterns; give tag patterns (e.g. '**')." : null);
    }

    /// <summary>Whether <paramref name="keep"/> names any criterion at all.</summary>
    public static bool HasCriteria(RetentionKeep keep) =>
        keep.LastPushed is not null || keep.LastPulled is not null || keep.PushedWithin is not null || keep.PulledWithin is not null ||
        keep.Matching.Count > 0 || keep.NotMatching.Count > 0 || keep.Always;

    private async Task<bool> DeleteAsync(string partition, string key, CancellationToken ct)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(Table, RowOperation.Delete(partition, key), ct).ConfigureAwait(false);
            return true;
        }
        catch (ConcurrencyException)
        {
            return false;
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,62}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
