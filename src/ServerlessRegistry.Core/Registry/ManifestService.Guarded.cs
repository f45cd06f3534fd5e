using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>
/// Tag writes a write policy guards (<see cref="IWriteGuard.GuardsTagsAsync"/>): each tag is read, the change checked,
/// and the tag written on the ETag read (inserted when it was absent), so a tag moved by a concurrent push between the
/// check and the write fails the write and is checked again, never slipping past a rule.
/// </summary>
internal sealed partial class ManifestService
{
    /// <summary>Rounds of read, check and conditional write before a push gives up on tags that keep changing.</summary>
    private const int GuardedAttempts = 3;

    /// <summary>
    /// Writes a push's rows in one batch. Without <paramref name="checkedTags"/> (no policy guards this repository's tags)
    /// every row is an unconditional upsert. With them (<paramref name="tags"/> as read and checked), each tag is written
    /// on the ETag read, or inserted when it was absent; when one changed meanwhile, the tags are read and checked again.
    /// </summary>
    private async Task WriteRowsAsync(string repository, string digest, List<TableRow> rows, IReadOnlyList<string> tags,
        Dictionary<string, (string? Digest, string ETag)>? checkedTags, CancellationToken ct)
    {
        var table = storage.Layout.RepositoriesTable;
        if (checkedTags is null)
        {
            await storage.Metadata.ExecuteBatchAsync(table, [.. rows.Select(RowOperation.Upsert)], ct).ConfigureAwait(false);
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            var current = attempt == 1 ? checkedTags : await CheckTagsAsync(repository, digest, tags, ct).ConfigureAwait(false);
            var batch = rows.Select(r => !r.RowKey.StartsWith(StorageLayout.TagPrefix, StringComparison.Ordinal) ? RowOperation.Upsert(r)
                : current.TryGetValue(r.RowKey, out var read) ? RowOperation.Replace(r, read.ETag)
                : RowOperation.Insert(r)).ToList();
            try
            {
                await storage.Metadata.ExecuteBatchAsync(table, batch, ct).ConfigureAwait(false);
                return;
            }
            catch (ConcurrencyException) when (attempt < GuardedAttempts)
            {
                // A tag changed since it was read: read and check again.
            }
            catch (ConcurrencyException)
            {
                Fail.With(ErrorKind.Unavailable, "the tags of this push are being changed by other pushes; retry");
            }
        }
    }

    /// <summary>Reads <paramref name="tags"/> and has the guard check moving each to <paramref name="digest"/>; returns what was read.</summary>
    private async Task<Dictionary<string, (string? Digest, string ETag)>> CheckTagsAsync(string repository, string digest, IReadOnlyList<string> tags, CancellationToken ct)
    {
        var current = await ReadTagsAsync(repository, tags, ct).ConfigureAwait(false);
        _guard.CheckTagChanges(repository, [.. tags.Select(t => new TagChange(t, current.TryGetValue(StorageLayout.TagKey(t), out var c) ? c.Digest : null, digest))]);
        return current;
    }

    /// <summary>The current rows of <paramref name="tags"/>, by row key, with their digest and ETag (absent tags are left out).</summary>
    private async Task<Dictionary<string, (string? Digest, string ETag)>> ReadTagsAsync(string repository, IReadOnlyList<string> tags, CancellationToken ct)
    {
        var rows = await Task.WhenAll(tags.Select(t => storage.GetRepositoryRowAsync(repository, StorageLayout.TagKey(t), ct))).ConfigureAwait(false);
        return rows.OfType<TableRow>().ToDictionary(r => r.RowKey, r => (TagRow.FromRow(r).Digest, r.ETag ?? "*"), StringComparer.Ordinal);
    }
}
