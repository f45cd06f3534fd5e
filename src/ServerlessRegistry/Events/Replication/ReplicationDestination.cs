using Microsoft.Extensions.Options;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Events.Replication;

/// <summary>The checked Events:Replication rules, in configuration order. Built once; no I/O.</summary>
internal sealed class ReplicationRules(IOptions<EventsOptions> options)
{
    private readonly Lazy<IReadOnlyList<ReplicationRule>> _all = new(() => [.. options.Value.Replication.Select(o => new ReplicationRule(o))]);

    public IReadOnlyList<ReplicationRule> All => _all.Value;
}

/// <summary>One <see cref="ReplicationDestination"/> per rule.</summary>
internal sealed class ReplicationDestinations(ReplicationRules rules, ReplicationCopier copier) : IEventDestinationSource
{
    public IEnumerable<IEventDestination> Create() => rules.All.Select(rule => new ReplicationDestination(rule, copier));
}

/// <summary>
/// A replication rule as an event destination ("replication:{name}"): it takes pushes in a repository its patterns
/// match, of a tag its patterns match or by digest alone. A tag is copied (<see cref="ReplicationCopier.CopyTagAsync"/>);
/// a push by digest is copied by digest when it is a referrer whose subject the destination has
/// (<see cref="ReplicationCopier.CopyReferrerAsync"/>): a signature attached after its image was replicated.
/// </summary>
/// <remarks>
/// Thread-safe. Delivery is idempotent (see <see cref="ReplicationCopier"/>): a retry or redelivery skips what the
/// destination has and sends the rest. Events naming one tag or digest twice cost one copy; a tag deleted here since is
/// skipped. <see cref="Accepts"/> does no I/O, so every push by digest in a matching repository is delivered (an image
/// index's children too); whether it is a referrer is read at delivery, one point read for those that are not.
/// </remarks>
internal sealed class ReplicationDestination(ReplicationRule rule, ReplicationCopier copier) : IEventDestination
{
    public string Name => rule.DestinationName;

    public ReplicationRule Rule => rule;

    public TimeSpan? Timeout => rule.Timeout;

    public bool CouldAccept(string action) => action == "push";

    public bool Accepts(RegistryEvent e) =>
        e.Action == "push" && rule.MatchesRepository(e.Target.Repository) && (e.Target.Tag is { } tag ? rule.MatchesTag(tag) : e.Target.Digest.Length > 0);

    public async Task DeliverAsync(IReadOnlyList<RegistryEvent> events, CancellationToken cancellationToken)
    {
        // Tags first: a referrer pushed by digest is copied only once its subject is at the destination.
        var copies = events.Where(Accepts)
            .Select(e => (e.Target.Repository, Reference: e.Target.Tag ?? e.Target.Digest, ByDigest: e.Target.Tag is null))
            .Distinct()
            .OrderBy(c => c.ByDigest);
        foreach (var (repository, reference, byDigest) in copies)
        {
            var name = byDigest ? $"{repository}@{reference}" : $"{repository}:{reference}";
            try
            {
                _ = byDigest
                    ? await copier.CopyReferrerAsync(rule, repository, reference, cancellationToken)
                    : await copier.CopyTagAsync(rule, repository, reference, cancellationToken);
            }
            catch (Exception e) when (e is RegistryException or StorageException)
            {
                // Reading here failed (storage unavailable, a damaged manifest): the message says which tag or digest.
                throw new DeliveryException($"reading {name} here failed: {e.Message}", e);
            }
            catch (DeliveryException e)
            {
                throw new DeliveryException($"{name}: {e.Message}", e.InnerException);
            }
        }
    }
}
