using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Core.Registry;

/// <summary>The two storage ports and the layout that names everything in them.</summary>
internal sealed class RegistryStorage(StorageLayout layout, IBlobStore blobs, IMetadataStore metadata)
{
    public StorageLayout Layout { get; } = layout;
    public IBlobStore Blobs { get; } = blobs;
    public IMetadataStore Metadata { get; } = metadata;

    internal Task<TableRow?> GetRepositoryRowAsync(string repository, string rowKey, CancellationToken ct) =>
        Metadata.GetAsync(Layout.RepositoriesTable, StorageLayout.RepositoryKey(repository), rowKey, ct);

    /// <summary>Reads every page of a query. For bounded ranges (one repository's tags or referrers).</summary>
    internal async Task<List<TableRow>> QueryAllAsync(string table, RowQuery query, int limit, CancellationToken ct)
    {
        var rows = new List<TableRow>();
        var next = query;
        while (rows.Count < limit)
        {
            var page = await Metadata.QueryAsync(table, next with { Top = Math.Min(1000, limit - rows.Count) }, ct).ConfigureAwait(false);
            rows.AddRange(page.Rows);
            if (page.Continuation is null)
            {
                break;
            }

            next = next with { Continuation = page.Continuation };
        }

        if (rows.Count > limit)
        {
            rows.RemoveRange(limit, rows.Count - limit);
        }

        return rows;
    }
}

/// <summary>Tunables of the data path. Defaults are what the benchmarks chose (see StorageLayout and the README).</summary>
internal sealed class RegistryOptions
{
    /// <summary>
    /// Bytes per staged block. Larger blocks mean fewer calls but more memory per upload, and a chunked client's
    /// 8 MiB PATCH then fills one block with nothing left to overlap; 4 MiB gives two blocks in parallel per such
    /// chunk and measured no slower than 8 MiB for one streamed PATCH (bench/RESULTS.md).
    /// </summary>
    public int BlockSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Put Block calls in flight per upload request. Four keep storage busy while the next block is read and hashed;
    /// memory per upload is (this + 1) × <see cref="BlockSize"/> = 20 MiB, so 20 concurrent pushes fit in 400 MiB.
    /// </summary>
    public int BlocksInFlight { get; set; } = 4;

    /// <summary>Largest manifest accepted (spec: at least 4 MB; ACR uses 4 MiB).</summary>
    public int MaxManifestBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Upload sessions one caller may hold open. A session stages blocks and costs a row until it ends or expires, so
    /// an unbounded count lets one credential fill storage with abandoned uploads; 1,000 is far above any real client's
    /// parallelism (docker pushes 3 to 5 layers at once).
    /// </summary>
    public int MaxOpenUploadsPerCaller { get; set; } = 1000;

    /// <summary>How long a blob redirect URL stays valid.</summary>
    public TimeSpan RedirectLifetime { get; set; } = TimeSpan.FromMinutes(10);
}
