using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Web.Tests;

/// <summary>What <see cref="SampleImages.PushAsync"/> pushed: a multi-arch index tagged <see cref="SampleImages.Tag"/>, its children and its README.</summary>
public sealed record PushedImages(string Repository, string IndexDigest, string AmdDigest, string ArmDigest, string ReadmeDigest, string AmdManifestJson);

/// <summary>
/// A multi-arch image as real projects publish it: an index over linux/amd64 and linux/arm64/v8 carrying the OCI
/// description/source/documentation/licenses annotations, and a README referrer (artifactType text/markdown, one
/// Markdown layer) whose text holds a script and a javascript: link, which the page must neither run nor link.
/// Written as an OCI layout and pushed with skopeo, as users push.
/// </summary>
public static class SampleImages
{
    public const string Tag = "v1.0";
    public const string OlderTag = "v0.9";
    public const string Description = "Sample service for the web interface tests";
    public const string Source = "https://example.com/sample/source";
    public const string Documentation = "https://example.com/sample/docs";
    public const string Licenses = "Apache-2.0";
    public const string ReadmeHeading = "Sample readme heading";
    public const string MarkdownType = "text/markdown";
    public const string Platforms = "linux/amd64, linux/arm64/v8";

    public static readonly string Readme = $"""
        # {ReadmeHeading}

        Some **bold** text and a [safe link](https://example.com/).

        <script>window.readmeScriptRan = true;</script>

        [click me](javascript:window.readmeLinkRan=true)
        """;

    private static readonly Dictionary<string, string> Annotations = new()
    {
        ["org.opencontainers.image.description"] = Description,
        ["org.opencontainers.image.source"] = Source,
        ["org.opencontainers.image.documentation"] = Documentation,
        ["org.opencontainers.image.licenses"] = Licenses,
    };

    /// <summary>
    /// Pushes <see cref="OlderTag"/> (the amd64 image alone) and then <see cref="Tag"/> (the index) to
    /// <paramref name="repository"/>, then the README by digest. <paramref name="credentials"/> is "name:secret" when auth is on.
    /// </summary>
    public static async Task<PushedImages> PushAsync(Skopeo skopeo, string hostPort, string workDirectory, string repository, string? credentials = null)
    {
        var layout = new OciLayoutBuilder(Path.Combine(workDirectory, repository.Replace('/', '_')));
        var amd = AddImage(layout, "amd64");
        var arm = AddImage(layout, "arm64");
        var index = layout.AddBlob(OciLayoutBuilder.IndexType, IndexJson([(amd, "amd64", null), (arm, "arm64", "v8")]));
        var empty = layout.AddBlob(OciLayoutBuilder.EmptyType, "{}"u8.ToArray());
        var markdown = layout.AddBlob(MarkdownType, Encoding.UTF8.GetBytes(Readme)) with
        {
            Annotations = new Dictionary<string, string> { ["org.opencontainers.image.title"] = "README.md" },
        };
        var readme = layout.AddImageManifest(empty, [markdown], MarkdownType, index,
            new Dictionary<string, string> { ["org.opencontainers.image.created"] = "2024-01-02T00:00:00Z" });
        layout.Tag(amd, OlderTag);
        layout.Tag(index, Tag);
        layout.Tag(readme, "readme");

        string[] creds = credentials is null ? [] : ["--dest-creds", credentials];
        var remote = $"docker://{hostPort}/{repository}";
        await skopeo.CopyAsync(layout.Reference(OlderTag), $"{remote}:{OlderTag}", creds);
        await skopeo.CopyAsync(layout.Reference(Tag), $"{remote}:{Tag}", ["--all", .. creds]);
        await skopeo.CopyAsync(layout.Reference("readme"), $"{remote}@{readme.Digest}", creds);
        return new PushedImages(repository, index.Digest, amd.Digest, arm.Digest, readme.Digest, File.ReadAllText(layout.BlobPath(amd.Digest)));
    }

    private static OciDescriptor AddImage(OciLayoutBuilder layout, string architecture)
    {
        var (layer, diffId) = layout.AddLayer($"{architecture}.txt", Encoding.UTF8.GetBytes($"hello from {architecture} {Guid.NewGuid()}"), gzip: true);
        var config = layout.AddConfig("linux", architecture, [diffId]);
        return layout.AddImageManifest(config, [layer], annotations: Annotations);
    }

    // The layout builder writes platforms without a variant; linux/arm64/v8 needs one, so the index is written here.
    private static byte[] IndexJson(IReadOnlyList<(OciDescriptor Manifest, string Architecture, string? Variant)> children)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", OciLayoutBuilder.IndexType);
            w.WriteStartArray("manifests");
            foreach (var (manifest, architecture, variant) in children)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", manifest.MediaType);
                w.WriteString("digest", manifest.Digest);
                w.WriteNumber("size", manifest.Size);
                w.WriteStartObject("platform");
                w.WriteString("architecture", architecture);
                w.WriteString("os", "linux");
                if (variant is not null)
                {
                    w.WriteString("variant", variant);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("annotations");
            foreach (var (key, value) in Annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
