using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Policies;

/// <summary>What a retention rule keeps. Criteria combine by OR: a tag in the rule's scope is kept when any one holds.</summary>
/// <param name="LastPushed">The N most recently pushed tags in scope, per repository.</param>
/// <param name="LastPulled">The N most recently pulled tags in scope, per repository (a tag never pulled counts as pulled at its push).</param>
/// <param name="PushedWithin">Tags pushed within this period.</param>
/// <param name="PulledWithin">Tags whose manifest was pulled (by tag or digest) within this period.</param>
/// <param name="Matching">Tags matching any of these patterns.</param>
/// <param name="NotMatching">Tags matching none of these patterns (ignored when empty).</param>
/// <param name="Always">Every tag in scope.</param>
internal sealed record RetentionKeep(
    int? LastPushed = null, int? LastPulled = null, TimeSpan? PushedWithin = null, TimeSpan? PulledWithin = null,
    IReadOnlyList<string>? Matching = null, IReadOnlyList<string>? NotMatching = null, bool Always = false)
{
    public IReadOnlyList<string> Matching { get; init; } = Matching ?? [];
    public IReadOnlyList<string> NotMatching { get; init; } = NotMatching ?? [];
}

/// <summary>
/// A retention rule. Its scope is the tags of repositories matching <paramref name="Repositories"/> whose names match
/// <paramref name="Tags"/>. A tag no rule's scope covers is always kept. <paramref name="UntaggedAfter"/> deletes
/// untagged manifests (not referrers of kept manifests, not children of kept indexes) last pushed or pulled longer
/// ago than that; null keeps them.
/// </summary>
internal sealed record RetentionRule(string Name, string Repositories, IReadOnlyList<string> Tags, RetentionKeep Keep, TimeSpan? UntaggedAfter = null);

/// <summary>Tags matching <paramref name="Tags"/> in repositories matching <paramref name="Repositories"/> cannot be moved or deleted.</summary>
internal sealed record ImmutableRule(string Name, string Repositories, string Tags);

/// <summary>The bytes repositories matching <paramref name="Repositories"/> may store together, each digest counted once.</summary>
internal sealed record QuotaRule(string Name, string Repositories, long LimitBytes);

/// <summary>What a lock targets: a repository, one tag (<c>repo:tag</c>) or one manifest (<c>repo@digest</c>).</summary>
internal sealed record LockTarget(string Repository, string? Tag = null, string? Digest = null)
{
    /// <summary>Parses <c>repo</c>, <c>repo:tag</c> or <c>repo@sha256:…</c>; a <see cref="FormatException"/> says what is wrong.</summary>
    public static LockTarget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('@', StringComparison.Ordinal);
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var end = at >= 0 ? at : colon >= 0 ? colon : text.Length;
        var repository = text[..end];
        if (!Names.IsValidRepository(repository))
        {
            throw new FormatException($"'{text}' does not start with a repository name (lower-case path components, e.g. team/app); a lock target is repo, repo:tag or repo@sha256:<hex>.");
        }

        if (at >= 0)
        {
            var digest = text[(at + 1)..];
            if (Core.Primitives.Digest.TryParse(digest, out var parsed) != DigestParseResult.Ok)
            {
                throw new FormatException($"'{digest}' in '{text}' is not a digest; give repo@sha256:<64 lower-case hex>.");
            }

            return new LockTarget(repository, Digest: parsed.Value);
        }

        if (colon >= 0)
        {
            var tag = text[(colon + 1)..];
            if (!Names.IsValidTag(tag))
            {
                throw new FormatException($"'{tag}' in '{text}' is not a tag (letters, digits, '_', '.', '-', at most {Names.MaxTagLength} characters, not starting with '.' or '-').");
            }

            return new LockTarget(repository, Tag: tag);
        }

        return new LockTarget(repository);
    }

    public override string ToString() => Digest is not null ? $"{Repository}@{Digest}" : Tag is not null ? $"{Repository}:{Tag}" : Repository;
}

/// <summary>
/// A per-item lock (ACR's write-enabled and delete-enabled attributes). <paramref name="NoWrite"/>: nothing may change
/// (for a repository: no push of any kind; for a tag: it cannot be moved or deleted; for a manifest: it cannot be deleted
/// and tags pointing at it cannot be moved away or deleted). <paramref name="NoDelete"/>: it may not be deleted (for a
/// repository: nothing in it). Retention respects both.
/// </summary>
internal sealed record ItemLock(LockTarget Target, bool NoWrite, bool NoDelete, DateTimeOffset CreatedAt);

/// <summary>Every rule and lock, as read at one moment. Immutable and thread-safe; cheap lookups for the push path.</summary>
internal sealed record PolicySet(
    IReadOnlyList<RetentionRule> Retention, IReadOnlyList<ImmutableRule> Immutable, IReadOnlyList<QuotaRule> Quotas, IReadOnlyList<ItemLock> Locks)
{
    public static PolicySet Empty { get; } = new([], [], [], []);

    public bool IsEmpty => Retention.Count == 0 && Immutable.Count == 0 && Quotas.Count == 0 && Locks.Count == 0;

    public IEnumerable<RetentionRule> RetentionFor(string repository) => Retention.Where(r => Pattern.Matches(r.Repositories, repository));

    public IEnumerable<ImmutableRule> ImmutableFor(string repository) => Immutable.Where(r => Pattern.Matches(r.Repositories, repository));

    public IEnumerable<QuotaRule> QuotasFor(string repository) => Quotas.Where(r => Pattern.Matches(r.Repositories, repository));

    public IEnumerable<ItemLock> LocksIn(string repository) => Locks.Where(l => l.Target.Repository == repository);
}
