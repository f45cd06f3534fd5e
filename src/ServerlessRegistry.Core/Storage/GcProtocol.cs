namespace ServerlessRegistry.Core.Storage;

/// <summary>Constants both sides of the GC/push protocol rely on (see GarbageCollection.md).</summary>
internal static class GcProtocol
{
    /// <summary>
    /// A push refreshes an index row's TouchedAt or a link's LinkedAt (a conditional write) only when it is older than
    /// this; fresher rows are already safe from any run that could still miss the push.
    /// </summary>
    public static readonly TimeSpan TouchInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// The grace period must exceed the push side's refresh interval (<see cref="TouchInterval"/>) with
    /// room for clock skew, or a push that skipped a refresh could lose its content.
    /// </summary>
    public static readonly TimeSpan MinimumGracePeriod = 2 * TouchInterval;
}
