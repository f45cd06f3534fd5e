using System.Text.Json;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Core.Storage.Rows;

namespace ServerlessRegistry.Core.Registry;

/// <summary>A manifest's listing summary and, for an image, its config labels.</summary>
internal sealed record SummaryResult(ManifestSummary Summary, IReadOnlyDictionary<string, string> Labels);

/// <summary>
/// Computes a manifest's <see cref="ManifestSummary"/> at push time, so listing pages never open manifests or configs.
/// An image's config is read once (at most <see cref="ConfigReadLimit"/>); an index reads its children's manifest rows
/// in parallel. Read-only; never fails a push: unreadable or unlinked content just leaves those facts unknown.
/// </summary>
internal sealed class ManifestSummaries(RegistryStorage storage)
{
    /// <summary>Configs above this are not read (real ones are a few KiB).</summary>
    public const int ConfigReadLimit = 1024 * 1024;

    /// <summary>Annotation and label values are cut to this many characters.</summary>
    public const int ValueLimit = 1000;

    private const string OciPrefix = "org.opencontainers.image.";
    private const string CreatedKey = OciPrefix + "created";

    /// <param name="configLink">The config's link row in the repository, or null when it is not linked (nothing is read then).</param>
    public async Task<SummaryResult> ComputeAsync(string repository, ParsedManifest manifest, ReadOnlyMemory<byte> bytes, TableRow? configLink, CancellationToken ct)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var annotations = Strings(root, "annotations");
        var info = annotations.Where(a => a.Key.StartsWith(OciPrefix, StringComparison.Ordinal)).ToDictionary(a => a.Key, a => Cut(a.Value), StringComparer.Ordinal);
        DateTimeOffset? created = annotations.TryGetValue(CreatedKey, out var c) && DateTimeOffset.TryParse(c, out var at) ? at : null;

        if (MediaTypes.IsIndex(manifest.MediaType))
        {
            var platforms = new List<string>();
            if (root.TryGetProperty("manifests", out var children) && children.ValueKind == JsonValueKind.Array)
            {
                foreach (var child in children.EnumerateArray())
                {
                    if (child.TryGetProperty("platform", out var p) && Platform(p) is { } platform)
                    {
                        platforms.Add(platform);
                    }
                }
            }

            var sizes = await Task.WhenAll(manifest.Manifests.Select(m => m.Digest).Distinct(StringComparer.Ordinal)
                .Select(d => ChildSizeAsync(repository, d, ct))).ConfigureAwait(false);
            var summary = new ManifestSummary(bytes.Length + sizes.Sum(), platforms.Distinct(StringComparer.Ordinal).ToList(), ArtifactType(manifest), created, info);
            return new SummaryResult(summary, new Dictionary<string, string>());
        }

        var size = bytes.Length + (manifest.Config?.Size ?? 0) + manifest.Layers.Sum(l => l.Size);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var imagePlatforms = new List<string>();
        if (await ReadConfigAsync(configLink, ct).ConfigureAwait(false) is { } config)
        {
            using (config)
            {
                var configRoot = config.RootElement;
                if (Platform(configRoot) is { } platform)
                {
                    imagePlatforms.Add(platform);
                }

                if (configRoot.TryGetProperty("created", out var made) && made.ValueKind == JsonValueKind.String &&
                    DateTimeOffset.TryParse(made.GetString(), out var madeAt))
                {
                    created = madeAt;
                }

                if (configRoot.TryGetProperty("config", out var runtime) && runtime.ValueKind == JsonValueKind.Object)
                {
                    foreach (var (key, value) in Strings(runtime, "Labels"))
                    {
                        labels[key] = Cut(value);
                        if (key.StartsWith(OciPrefix, StringComparison.Ordinal))
                        {
                            info.TryAdd(key, Cut(value));
                        }
                    }
                }
            }
        }

        return new SummaryResult(new ManifestSummary(size, imagePlatforms, ArtifactType(manifest), created, info), labels);
    }

    /// <summary>The effective artifact type, except that a plain image's config media type is no artifact type.</summary>
    private static string? ArtifactType(ParsedManifest manifest) =>
        manifest.EffectiveArtifactType is "application/vnd.oci.image.config.v1+json" or "application/vnd.docker.container.image.v1+json"
            ? null
            : manifest.EffectiveArtifactType;

    private async Task<long> ChildSizeAsync(string repository, string digest, CancellationToken ct)
    {
        var row = await storage.GetRepositoryRowAsync(repository, StorageLayout.ManifestKey(digest), ct).ConfigureAwait(false);
        return row is null ? 0 : SummaryProperties.HasSummary(row) ? SummaryProperties.Read(row).Size : ManifestBody.FromRow(row).Size;
    }

    private async Task<JsonDocument?> ReadConfigAsync(TableRow? link, CancellationToken ct)
    {
        if (link is null || BlobLinkRow.FromRow(link) is not { Blob: { } blob, Size: > 0 and <= ConfigReadLimit })
        {
            return null;
        }

        var content = await storage.Blobs.ReadRangeAsync(blob, 0, ConfigReadLimit, ct).ConfigureAwait(false);
        try
        {
            return content is null ? null : JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 64 }) is { RootElement.ValueKind: JsonValueKind.Object } d ? d : null;
        }
        catch (JsonException)
        {
            return null; // an artifact's config need not be JSON
        }
    }

    /// <summary>"os/architecture[/variant]" of a platform object or an image config, or null when either is missing.</summary>
    private static string? Platform(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var os = String(element, "os");
        var architecture = String(element, "architecture");
        if (os is null || architecture is null)
        {
            return null;
        }

        return String(element, "variant") is { Length: > 0 } variant ? $"{os}/{architecture}/{variant}" : $"{os}/{architecture}";
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;

    private static Dictionary<string, string> Strings(JsonElement element, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                map[property.Name] = property.Value.GetString()!;
            }
        }

        return map;
    }

    private static string Cut(string value) => value.Length <= ValueLimit ? value : value[..ValueLimit];
}
