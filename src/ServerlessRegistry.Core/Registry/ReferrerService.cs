using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>One entry of a referrers index.</summary>
internal sealed record Referrer(string MediaType, string Digest, long Size, string? ArtifactType, string? AnnotationsJson);

/// <summary>The referrers API: manifests whose <c>subject</c> names a digest, read from their referrer rows.</summary>
internal sealed class ReferrerService(RegistryStorage storage, ManifestService manifests)
{
    /// <summary>
    /// Referrers of <paramref name="subject"/>, optionally only those of one artifactType. An unknown subject has
    /// none (never an error).
    /// </summary>
    public async Task<IReadOnlyList<Referrer>> ListAsync(string repository, string subject, string? artifactType, CancellationToken ct)
    {
        var prefix = StorageLayout.ReferrersOf(subject);
        var rows = await storage.QueryAllAsync(storage.Layout.RepositoriesTable, new RowQuery
        {
            PartitionKey = StorageLayout.RepositoryKey(repository),
            RowKeyFrom = prefix,
            RowKeyTo = StorageLayout.PrefixEnd(prefix),
        }, int.MaxValue, ct).ConfigureAwait(false);

        var result = new List<Referrer>(rows.Count);
        foreach (var row in rows)
        {
            var referrer = ReferrerRow.FromRow(row);
            var type = referrer.ArtifactType;
            if (artifactType is not null && type != artifactType)
            {
                continue;
            }

            var digest = row.RowKey[prefix.Length..];
            var annotations = referrer.Annotations;
            if (referrer.AnnotationsElsewhere)
            {
                var content = await manifests.GetAsync(repository, ManifestReference.Parse(digest), true, ct).ConfigureAwait(false);
                annotations = ParsedManifest.Parse(content.Bytes, content.MediaType).AnnotationsJson;
            }

            result.Add(new Referrer(referrer.MediaType ?? "", digest, referrer.Size, type, annotations));
        }

        return result;
    }
}
