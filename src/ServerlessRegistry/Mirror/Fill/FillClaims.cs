using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Mirror.Fill;

/// <summary>
/// The cross-instance half of "one fill per digest": a row in the mirror table (PK "fills", RK digest) inserted if
/// absent. A claim older than its ExpiresAt (an instance that died mid-fill) is taken over on its ETag.
/// </summary>
/// <remarks>Thread-safe. Exactly one of several concurrent claimants of a free digest wins, on any number of instances.</remarks>
internal sealed class FillClaims(RegistryStorage storage, TimeProvider time, ILogger<FillClaims> logger)
{
    /// <summary>Names this process in claim rows (for operators reading the table).</summary>
    private readonly string _owner = Environment.MachineName + "/" + Guid.NewGuid().ToString("N")[..8];

    private string Table => MirrorLayout.Table(storage.Layout);

    /// <summary>Claims the fill of <paramref name="digest"/>: the claim's ETag, or null when another live claim holds it.</summary>
    public async Task<string?> TryClaimAsync(string digest, CancellationToken ct)
    {
        var row = new FillClaimRow(_owner, time.GetUtcNow() + FillJobs.FillTimeout).ToRow(digest);
        try
        {
            return await storage.Metadata.ExecuteAsync(Table, RowOperation.Insert(row), ct).ConfigureAwait(false);
        }
        catch (ConcurrencyException)
        {
            var existing = await storage.Metadata.GetAsync(Table, MirrorLayout.FillPartition, digest, ct).ConfigureAwait(false);
            var claim = existing is null ? null : FillClaimRow.FromRow(existing);
            if (existing?.ETag is null || claim?.ExpiresAt > time.GetUtcNow())
            {
                // Held, or released a moment ago by a fill that just finished: either way nobody needs to fill now.
                FillLog.ClaimedElsewhere(logger, digest, claim?.Owner);
                return null;
            }

            try
            {
                return await storage.Metadata.ExecuteAsync(Table, RowOperation.Replace(row, existing.ETag), ct).ConfigureAwait(false);
            }
            catch (ConcurrencyException)
            {
                return null;
            }
        }
    }

    /// <summary>Gives the claim up (only if it is still ours). Never throws: an unreleased claim lapses by itself.</summary>
    public async Task ReleaseAsync(string digest, string etag)
    {
        try
        {
            await storage.Metadata.ExecuteAsync(Table, RowOperation.Delete(MirrorLayout.FillPartition, digest, etag), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConcurrencyException or StorageException)
        {
            FillLog.ReleaseFailed(logger, digest, e);
        }
    }
}
