using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Policies.Quotas;

/// <summary>Table policies, PK "quota:{name}", RK "total": a quota's counter (see <see cref="PolicyLayout"/>).</summary>
internal sealed record QuotaTotalRow(long UsedBytes, DateTimeOffset? ReconciledAt, long Drift)
{
    private const string UsedBytesProperty = "UsedBytes";
    private const string ReconciledAtProperty = "ReconciledAt";
    private const string DriftProperty = "Drift";

    public static QuotaTotalRow FromRow(TableRow? row) => row is null
        ? new(0, null, 0)
        : new(row.GetInt64(UsedBytesProperty) ?? 0, row.GetDateTime(ReconciledAtProperty), row.GetInt64(DriftProperty) ?? 0);

    public TableRow ToRow(string name) => new(PolicyLayout.QuotaPartition(name), PolicyLayout.QuotaTotalKey)
    {
        [UsedBytesProperty] = UsedBytes,
        [ReconciledAtProperty] = ReconciledAt,
        [DriftProperty] = Drift,
    };
}

/// <summary>Table policies, PK "quota:{name}", RK "d:{digest}": a digest the quota has counted, and when.</summary>
internal sealed record QuotaChargeRow(long Size, DateTimeOffset? ChargedAt)
{
    private const string SizeProperty = "Size";
    private const string ChargedAtProperty = "ChargedAt";

    public static QuotaChargeRow FromRow(TableRow row) => new(row.GetInt64(SizeProperty) ?? 0, row.GetDateTime(ChargedAtProperty));

    public TableRow ToRow(string name, string digest) => new(PolicyLayout.QuotaPartition(name), PolicyLayout.QuotaChargeKey(digest))
    {
        [SizeProperty] = Size,
        [ChargedAtProperty] = ChargedAt,
    };
}
