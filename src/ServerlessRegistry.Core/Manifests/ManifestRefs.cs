namespace ServerlessRegistry.Core.Manifests;

/// <summary>What a manifest references: the blobs it names (config, layers) and its index children.</summary>
internal sealed record ManifestRefs(IReadOnlyList<string> Blobs, IReadOnlyList<string> Children)
{
    public static ManifestRefs? Parse(byte[] bytes, string? mediaType)
    {
        try
        {
            var manifest = ParsedManifest.Parse(bytes, mediaType);
            var blobs = manifest.Layers.Select(l => l.Digest).ToList();
            if (manifest.Config is { } config)
            {
                blobs.Add(config.Digest);
            }

            return new ManifestRefs(blobs, manifest.Manifests.Select(m => m.Digest).ToList());
        }
        catch (Errors.RegistryException)
        {
            return null; // unreadable: garbage collection then keeps everything the repository links
        }
    }
}
