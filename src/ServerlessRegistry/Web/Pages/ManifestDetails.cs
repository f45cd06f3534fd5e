using System.Text.Json;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;

namespace ServerlessRegistry.Web.Pages;

/// <summary>An image config as the manifest page shows it.</summary>
internal sealed record ImageConfig(string? Created, string? Entrypoint, string? Cmd, IReadOnlyList<KeyValuePair<string, string>> Labels);

/// <summary>What the manifest page reads out of stored bytes: the index children's platforms and the image config.</summary>
internal static class ManifestDetails
{
    /// <summary>Configs are small; a larger one is not read (the page then shows what was recorded at push).</summary>
    public const int MaxConfigBytes = 256 * 1024;

    private static readonly string[] PlatformKeys = ["os", "architecture", "variant"];

    /// <summary>Each index child's platform ("linux/arm64/v8"), in document order; null where a child names none.</summary>
    public static IReadOnlyList<string?> ChildPlatforms(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        if (!document.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return [.. manifests.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("platform", out var p) ? Platform(p) : null)];
    }

    private static string? Platform(JsonElement platform)
    {
        if (platform.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var parts = PlatformKeys
            .Select(key => platform.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
            .TakeWhile(v => !string.IsNullOrEmpty(v));
        var text = string.Join('/', parts);
        return text.Length == 0 ? null : text;
    }

    /// <summary>
    /// Reads the image config named by <paramref name="config"/> from the repository: one point read of its link and one
    /// ranged read of its content. Null when it is not linked, too large, or not a JSON object (an artifact's config).
    /// </summary>
    public static async Task<ImageConfig?> ReadConfigAsync(IServiceProvider services, string repository, Descriptor config, CancellationToken ct)
    {
        if (config.Size is <= 0 or > MaxConfigBytes || !config.MediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var blob = await services.GetRequiredService<BlobService>().FindAsync(repository, config.Digest, ct);
        if (blob is null)
        {
            return null;
        }

        var bytes = await services.GetRequiredService<RegistryStorage>().Blobs.ReadRangeAsync(blob.BlobName, 0, (int)config.Size, ct);
        if (bytes is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var created = root.TryGetProperty("created", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var inner = root.TryGetProperty("config", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
            return new ImageConfig(created, Words(inner, "Entrypoint"), Words(inner, "Cmd"), Labels(inner));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>An exec-form array written as a Dockerfile writes it (["/bin/sh", "-c"]), so arguments with spaces stay readable.</summary>
    private static string? Words(JsonElement config, string key) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.Array
            ? "[" + string.Join(", ", value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? Quote(v.GetString() ?? "") : v.GetRawText())) + "]"
            : null;

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static List<KeyValuePair<string, string>> Labels(JsonElement config)
    {
        if (config.ValueKind != JsonValueKind.Object || !config.TryGetProperty("Labels", out var labels) || labels.ValueKind != JsonValueKind.Object)
        {
            return [];
        }

        return [.. labels.EnumerateObject()
            .Where(p => p.Value.ValueKind == JsonValueKind.String)
            .Select(p => KeyValuePair.Create(p.Name, p.Value.GetString() ?? ""))
            .OrderBy(p => p.Key, StringComparer.Ordinal)];
    }
}
