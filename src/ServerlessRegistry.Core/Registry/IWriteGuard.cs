namespace ServerlessRegistry.Core.Registry;

/// <summary>A tag about to change: <see cref="From"/> null creates it, <see cref="To"/> null deletes it.</summary>
internal readonly record struct TagChange(string Tag, string? From, string? To);

/// <summary>
/// The seam through which write policies (immutable tags, locks, quotas) take part in the push and delete paths. The
/// core calls it before each write it guards and refuses nothing itself; a guard refuses by throwing a
/// <see cref="Errors.RegistryException"/> (DENIED), before anything is written, so a refused request leaves the old state.
/// </summary>
/// <remarks>
/// Implementations are thread-safe and may be called concurrently for one repository. Every method may run again for the
/// same content (a client retries): charging is idempotent per repository scope and digest. <see cref="None"/> allows
/// everything at no cost, and is what the core uses when no guard is registered.
/// </remarks>
internal interface IWriteGuard
{
    /// <summary>Allows everything; no I/O.</summary>
    static IWriteGuard None { get; } = new AllowAll();

    /// <summary>
    /// Before an upload session opens, or a monolithic upload starts (<paramref name="size"/> when the request declares
    /// it). Refuses when the repository may not be written or a quota over it is already used up.
    /// </summary>
    ValueTask CheckUploadAsync(string repository, string? owner, long? size, CancellationToken ct);

    /// <summary>
    /// Before content is linked into <paramref name="repository"/> (an upload's commit, a mount) or a manifest is
    /// stored: charges <paramref name="size"/> bytes of <paramref name="digest"/> against every quota over the
    /// repository that has not counted that digest yet, or refuses when one would pass its limit. A charge whose write
    /// then fails stays counted until the quotas are reconciled (an overcount, never an undercount).
    /// </summary>
    ValueTask ChargeAsync(string repository, string digest, long size, CancellationToken ct);

    /// <summary>
    /// Whether tag changes in <paramref name="repository"/> must be checked (<see cref="CheckTagChanges"/>): true when
    /// some immutability rule or lock could refuse one. When false, the core writes tags without reading them first.
    /// Also refuses at once when the repository may not be written (or, for <paramref name="deleting"/>, deleted from).
    /// </summary>
    ValueTask<bool> GuardsTagsAsync(string repository, bool deleting, CancellationToken ct);

    /// <summary>
    /// Refuses any of <paramref name="changes"/> that a rule or lock forbids, naming it. The core read each tag's current
    /// digest (<see cref="TagChange.From"/>) and writes every checked tag on the ETag it read, so a tag moved meanwhile
    /// fails the write instead of slipping past the check. No I/O: works from what
    /// <see cref="GuardsTagsAsync"/> loaded.
    /// </summary>
    void CheckTagChanges(string repository, IReadOnlyList<TagChange> changes);

    /// <summary>Before a manifest is deleted by digest (with its tags, which are then also passed to <see cref="CheckTagChanges"/>).</summary>
    ValueTask CheckManifestDeleteAsync(string repository, string digest, CancellationToken ct);

    /// <summary>
    /// Which manifests of <paramref name="repository"/> garbage collection must keep whether or not a tag reaches them
    /// (locked ones), as a test on the digest; null when none is. Read once per repository per run.
    /// </summary>
    ValueTask<Func<string, bool>?> KeptManifestsAsync(string repository, CancellationToken ct);

    private sealed class AllowAll : IWriteGuard
    {
        public ValueTask CheckUploadAsync(string repository, string? owner, long? size, CancellationToken ct) => ValueTask.CompletedTask;
        public ValueTask ChargeAsync(string repository, string digest, long size, CancellationToken ct) => ValueTask.CompletedTask;
        public ValueTask<bool> GuardsTagsAsync(string repository, bool deleting, CancellationToken ct) => ValueTask.FromResult(false);
        public void CheckTagChanges(string repository, IReadOnlyList<TagChange> changes) { }
        public ValueTask CheckManifestDeleteAsync(string repository, string digest, CancellationToken ct) => ValueTask.CompletedTask;
        public ValueTask<Func<string, bool>?> KeptManifestsAsync(string repository, CancellationToken ct) => ValueTask.FromResult<Func<string, bool>?>(null);
    }
}
