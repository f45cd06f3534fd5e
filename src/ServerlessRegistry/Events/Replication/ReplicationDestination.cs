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
/// A replication rule as an event destination ("replication:{name}"): it takes pushes of a tag in a repository and with a
/// tag its patterns match, and delivers them by copying each named tag to the rule's registry.
/// </summary>
/// <remarks>
/// Thread-safe. Delivery is idempotent (see <see cref="ReplicationCopier"/>): a retry or redelivery skips what the
/// destination has and sends the rest. Events naming one tag twice cost one copy; a tag deleted here since is skipped.
/// </remarks>
internal sealed class ReplicationDestination(ReplicationRule rule, ReplicationCopier copier) : IEventDestination
{
    public string Name => rule.DestinationName;

    public ReplicationRule Rule => rule;

    public TimeSpan? Timeout => rule.Timeout;

    public bool CouldAccept(string action) => action == "push";

    public bool Accepts(RegistryEvent e) =>
        e.Action == "push" && e.Target.Tag is { } tag && rule.MatchesRepository(e.Target.Repository) && rule.MatchesTag(tag);

    public async Task DeliverAsync(IReadOnlyList<RegistryEvent> events, CancellationToken cancellationToken)
    {
        foreach (var (repository, tag) in events.Where(Accepts).Select(e => (e.Target.Repository, e.Target.Tag!)).Distinct())
        {
            try
            {
                await copier.CopyTagAsync(rule, repository, tag, cancellationToken);
            }
            catch (Exception e) when (e is RegistryException or StorageException)
            {
                // Reading here failed (storage unavailable, a damaged manifest): the message says which tag.
                throw new DeliveryException($"reading {repository}:{tag} here failed: {e.Message}", e);
            }
            catch (DeliveryException e)
            {
                throw new DeliveryException($"{repository}:{tag}: {e.Message}", e.InnerException);
            }
        }
    }
}
