using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
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
/// in parallel. Read-only; never fails a push: unlinked content or a storage error leaves those facts unknown and the
/// summary not <see cref="ManifestSummary.Complete"/> (garbage collection computes it again later). Thread-safe.
/// </summary>
internal sealed partial class ManifestSummaries(RegistryStorage storage, ILogger? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    /// <summary>Configs above this are not read (real ones are a few KiB).</summary>
    public const int ConfigReadLimit = 1024 * 1024;

    /// <summary>Annotation and label values are cut to this many characters.</summary>
    public const int ValueLimit = 1000;

    private const string OciPrefix = "org.opencontainers.image.";
    private const string CreatedKey = OciPrefix + "created";

    /// <param name="configLink">The config's link row in the repository, or null when it is not linked (nothing is read then).</param>
    public async Task<SummaryResult> ComputeAsync(string repository, ParsedManifest manifest, ReadOnlyMemory<byte> bytes, TableRow? configLink, CancellationToken ct)
    {
        try
        {
            return await ComputeOrThrowAsync(repository, manifest, bytes, configLink, ct).ConfigureAwait(false);
        }
        catch (StorageException e) when (!ct.IsCancellationRequested)
        {
            // Listing must never fail a push: record what the manifest itself says, marked incomplete.
            LogReadFailed(_logger, repository, e);
            return await ComputeOrThrowAsync(repository, manifest, bytes, null, ct, readStorage: false).ConfigureAwait(false);
        }
    }

    private async Task<SummaryResult> ComputeOrThrowAsync(string repository, ParsedManifest manifest, ReadOnlyMemory<byte> bytes, TableRow? configLink, CancellationToken ct,
        bool readStorage = true)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var annotations = Strings(root, "annotations");
        var info = annotations.Where(a => a.Key.StartsWith(OciPrefix, StringComparison.Ordinal)).ToDictionary(a => a.Key, a => Cut(a.Value), StringComparer.Ordinal);
        DateTimeOffset? created = annotations.TryGetValue(CreatedKey, out var c) && ParseTime(c) is { } at ? at : null;

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

            var digests = manifest.Manifests.Select(m => m.Digest).Distinct(StringComparer.Ordinal).ToList();
            var sizes = readStorage
                ? await Task.WhenAll(digests.Select(d => ChildSizeAsync(repository, d, ct))).ConfigureAwait(false)
                : digests.Select(_ => (Size: 0L, Complete: false)).ToArray();
            var summary = new ManifestSummary(bytes.Length + sizes.Sum(s => s.Size), platforms.Distinct(StringComparer.Ordinal).ToList(), ArtifactType(manifest), created, info,
                sizes.All(s => s.Complete));
            return new SummaryResult(summary, new Dictionary<string, string>());
        }

        var size = bytes.Length + (manifest.Config?.Size ?? 0) + manifest.Layers.Sum(l => l.Size);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var imagePlatforms = new List<string>();
        // Complete unless the config is there to read and was not read (not linked yet, or a storage error).
        var complete = manifest.Config is not { Size: > 0 } || (readStorage && configLink is not null);
        var (config, read) = await ReadConfigAsync(configLink, ct).ConfigureAwait(false);
        complete &= read;
        if (config is not null)
        {
            using (config)
            {
                var configRoot = config.RootElement;
                if (Platform(configRoot) is { } platform)
                {
                    imagePlatforms.Add(platform);
                }

                if (String(configRoot, "created") is { } made && ParseTime(made) is { } madeAt)
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

        return new SummaryResult(new ManifestSummary(size, imagePlatforms, ArtifactType(manifest), created, info, complete), labels);
    }

    /// <summary>An RFC 3339 time whatever the process culture; one without an offset is taken as UTC.</summary>
    private static DateTimeOffset? ParseTime(string value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;

    /// <summary>The effective artifact type, except that a plain image's config media type is no artifact type.</summary>
    private static string? ArtifactType(ParsedManifest manifest) =>
        manifest.EffectiveArtifactType is "application/vnd.oci.image.config.v1+json" or "application/vnd.docker.container.image.v1+json"
            ? null
            : manifest.EffectiveArtifactType;

    /// <summary>A child's size, and whether it is fully known: an absent child (pushed later) or one with an incomplete summary is not.</summary>
    private async Task<(long Size, bool Complete)> ChildSizeAsync(string repository, string digest, CancellationToken ct)
    {
        var row = await storage.GetRepositoryRowAsync(repository, StorageLayout.ManifestKey(digest), ct).ConfigureAwait(false);
        if (row is null)
        {
            return (0, false);
        }

        var summary = SummaryProperties.Read(row);
        return SummaryProperties.HasSummary(row) ? (summary.Size, summary.Complete) : (ManifestBody.FromRow(row).Size, false);
    }

    /// <summary>The config as a JSON object (null when absent, too large or not one), and false when it could not be read.</summary>
    private async Task<(JsonDocument? Config, bool Read)> ReadConfigAsync(TableRow? link, CancellationToken ct)
    {
        if (link is null || BlobLinkRow.FromRow(link) is not { Blob: { } blob, Size: > 0 and <= ConfigReadLimit })
        {
            return (null, true);
        }

        var content = await storage.Blobs.ReadRangeAsync(blob, 0, ConfigReadLimit, ct).ConfigureAwait(false);
        if (content is null)
        {
            return (null, false);
        }

        try
        {
            return (JsonDocument.Parse(content, new JsonDocumentOptions { MaxDepth = 64 }) is { RootElement.ValueKind: JsonValueKind.Object } d ? d : null, true);
        }
        catch (JsonException)
        {
            return (null, true); // an artifact's config need not be JSON
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
        // buildx lists its attestation manifests as unknown/unknown: they run nowhere.
        if (os is null || architecture is null || (os == "unknown" && architecture == "unknown"))
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

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning,
        Message = "Reading the config or index children for a listing summary in repository {Repository} failed; the summary is recorded as incomplete")]
    private static partial void LogReadFailed(ILogger logger, string repository, Exception exception);
}
