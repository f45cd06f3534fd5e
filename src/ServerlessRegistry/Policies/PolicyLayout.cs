using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies;

/// <summary>
/// The policies feature's own table. Rules and locks are read whole by every instance (<see cref="PolicyCache"/>);
/// quota partitions are read only on the push path of repositories a quota covers.
/// </summary>
/// <remarks>
/// <code>
/// Table {prefix}policies
///     PK "rules"          RK {name}            a rule (PolicyRuleRow): Kind ("retention" | "immutable" | "quota"), Json (the
///                                              rule's fields, camelCase), UpdatedAt. Names are unique across kinds.
///     PK "locks"          RK hex(target)       a lock (LockRow): Target ("repo", "repo:tag" or "repo@digest"), NoWrite, NoDelete, CreatedAt
///     PK "quota:{name}"   RK "total"           a quota's counter (QuotaTotalRow): UsedBytes, ReconciledAt, Drift (what the last
///                                              reconciliation corrected); replaced on the ETag read, so concurrent charges serialize
///                         RK "d:{digest}"      a digest the quota has counted (QuotaChargeRow): Size, ChargedAt. Inserted by its
///                                              own request, sent together with the counter's replace: two requests, not one
///                                              batch, so either can land without the other. A charge that finds the row there
///                                              re-dates it (new ChargedAt and ETag) and takes its increment back, so content
///                                              counted once is never charged twice
/// </code>
/// Rules and locks change rarely and are small: a few hundred rows at most. The core's pull times live in the core's
/// pulls table (StorageLayout), shared with the mirror's eviction.
/// </remarks>
internal static class PolicyLayout
{
    public const string RulesPartition = "rules";
    public const string LocksPartition = "locks";
    public const string QuotaTotalKey = "total";
    public const string QuotaChargePrefix = "d:";

    public static string Table(StorageLayout layout) => layout.Prefix + "policies";

    public static string LockKey(LockTarget target) => StorageLayout.RepositoryKey(target.ToString());
    public static string QuotaPartition(string name) => "quota:" + name;
    public static string QuotaChargeKey(string digest) => QuotaChargePrefix + digest;
}
