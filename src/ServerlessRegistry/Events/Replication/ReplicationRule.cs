using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Events.Replication;

/// <summary>
/// One checked Events:Replication entry: which repositories and tags it copies, where to, and as whom. Immutable and
/// thread-safe; matching does no I/O.
/// </summary>
internal sealed class ReplicationRule(ReplicationOptions options)
{
    public string Name { get; } = options.Name;

    /// <summary>The destination's base URL (scheme and authority only; checked at start).</summary>
    public Uri Destination { get; } = new(options.Destination!.GetLeftPart(UriPartial.Authority) + "/");

    public string? Username { get; } = string.IsNullOrEmpty(options.Username) ? null : options.Username;

    public string? Password { get; } = string.IsNullOrEmpty(options.Password) ? null : options.Password;

    public bool HasCredentials => Username is not null;

    public IReadOnlyList<string> Repositories { get; } = [.. options.Repositories];

    public IReadOnlyList<string> Tags { get; } = [.. options.Tags];

    public string Namespace { get; } = options.Namespace.Trim('/');

    public TimeSpan Timeout { get; } = options.Timeout;

    /// <summary>"replication:{Name}", the destination's name in queue messages and the CLI.</summary>
    public string DestinationName => "replication:" + Name;

    public bool MatchesRepository(string repository) => Repositories.Any(p => Pattern.Matches(p, repository));

    public bool MatchesTag(string tag) => Tags.Count == 0 || Tags.Any(p => Pattern.Matches(p, tag));

    /// <summary>The name at the destination: <c>{Namespace}/{repository}</c>, or the same name without a namespace.</summary>
    public string DestinationRepository(string repository) => Namespace.Length == 0 ? repository : Namespace + "/" + repository;

    public override string ToString() => $"{DestinationName} -> {Destination.GetLeftPart(UriPartial.Authority)}" + (Namespace.Length == 0 ? "" : "/" + Namespace);
}
