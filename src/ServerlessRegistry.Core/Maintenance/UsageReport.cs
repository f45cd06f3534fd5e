using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Maintenance;

/// <summary>Storage one repository accounts for.</summary>
/// <param name="Logical">Every blob it links and every manifest it holds, at full size: what it would cost alone.</param>
/// <param name="Deduplicated">Its share of what is stored: each shared blob's size divided among the repositories that link it.</param>
/// <param name="Exclusive">Bytes that only this repository references: what deleting it would reclaim.</param>
internal sealed record RepositoryUsage(string Repository, long Logical, long Deduplicated, long Exclusive, int Blobs, int Manifests);

/// <summary>Per-repository usage, plus the bytes physically stored (the sum of the deduplicated column, rounding aside).</summary>
internal sealed record UsageSummary(IReadOnlyList<RepositoryUsage> Repositories, long StoredBytes, long LogicalBytes);

/// <summary>
/// Computes storage usage from the metadata alone: one scan of the repositories table, no content reads.
/// Read-only and safe to run at any time; a push racing the scan may or may not be counted.
/// </summary>
internal sealed class UsageReport(RegistryStorage storage)
{
    public async Task<UsageSummary> RunAsync(CancellationToken ct)
    {
        // Per repository: (digest, size, shared) where shared content lives once in the container.
        var repos = new Dictionary<string, List<(string Digest, long Size, bool Shared, bool IsLink)>>(StringComparer.Ordinal);
        var holders = new Dictionary<string, int>(StringComparer.Ordinal);
        var query = new RowQuery { Top = 1000 };
        do
        {
            var page = await storage.Metadata.QueryAsync(storage.Layout.RepositoriesTable, query, ct).ConfigureAwait(false);
            foreach (var row in page.Rows)
            {
                var isLink = row.RowKey.StartsWith(StorageLayout.BlobLinkPrefix, StringComparison.Ordinal);
                if (!isLink && !row.RowKey.StartsWith(StorageLayout.ManifestPrefix, StringComparison.Ordinal))
                {
                    continue; // tags and referrers are small copies; they cost no content bytes
                }

                var digest = row.RowKey[2..];
                var body = isLink ? null : ManifestBody.FromRow(row);
                var size = body?.Size ?? BlobLinkRow.FromRow(row).Size;
                var shared = isLink || body?.Blob is not null;
                if (!repos.TryGetValue(row.PartitionKey, out var items))
                {
                    repos[row.PartitionKey] = items = [];
                }

                items.Add((digest, size, shared, isLink));
                if (shared)
                {
                    holders[digest] = holders.GetValueOrDefault(digest) + 1;
                }
            }

            query = query with { Continuation = page.Continuation };
        }
        while (query.Continuation is not null);

        var result = repos.Select(r =>
        {
            long logical = 0, dedup = 0, exclusive = 0;
            foreach (var (digest, size, shared, _) in r.Value)
            {
                var count = shared ? holders[digest] : 1;
                logical += size;
                dedup += size / count;
                exclusive += count == 1 ? size : 0;
            }

            return new RepositoryUsage(StorageLayout.RepositoryFromKey(r.Key), logical, dedup, exclusive,
                r.Value.Count(i => i.IsLink), r.Value.Count(i => !i.IsLink));
        }).OrderBy(u => u.Repository, StringComparer.Ordinal).ToList();

        var stored = repos.Values.SelectMany(v => v).Where(i => !i.Shared).Sum(i => i.Size) +
                     repos.Values.SelectMany(v => v).Where(i => i.Shared).DistinctBy(i => i.Digest).Sum(i => i.Size);
        return new UsageSummary(result, stored, result.Sum(r => r.Logical));
    }
}
