namespace ServerlessRegistry.Core.Primitives;

/// <summary>The manifest media types the registry accepts, and the ones it treats specially.</summary>
internal static class MediaTypes
{
    public const string OciManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string OciIndex = "application/vnd.oci.image.index.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OciEmpty = "application/vnd.oci.empty.v1+json";

    public static bool IsIndex(string mediaType) => mediaType is OciIndex or DockerManifestList;

    public static bool IsManifest(string mediaType) => mediaType is OciManifest or DockerManifest;

    public static bool IsSupported(string mediaType) => IsIndex(mediaType) || IsManifest(mediaType);

    /// <summary>Layers a registry need not hold: they are fetched from their own URLs.</summary>
    public static bool IsNonDistributable(string mediaType) =>
        mediaType.StartsWith("application/vnd.oci.image.layer.nondistributable.", StringComparison.Ordinal) ||
        mediaType.StartsWith("application/vnd.docker.image.rootfs.foreign.", StringComparison.Ordinal);

    /// <summary>The media type without parameters (e.g. "; charset=utf-8"), or null when empty.</summary>
    public static string? Essence(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var essence = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return essence.Length == 0 ? null : essence.ToLowerInvariant();
    }
}
