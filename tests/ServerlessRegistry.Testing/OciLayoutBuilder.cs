using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ServerlessRegistry.Testing;

/// <summary>A content descriptor as the OCI image spec defines it, plus the optional fields tests assert on.</summary>
public sealed record OciDescriptor(string MediaType, string Digest, long Size)
{
    public string? ArtifactType { get; init; }
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    public (string Os, string Architecture)? Platform { get; init; }
}

/// <summary>An image manifest written to a layout, with the descriptors it points at.</summary>
public sealed record OciImage(OciDescriptor Manifest, OciDescriptor Config, IReadOnlyList<OciDescriptor> Layers);

/// <summary>
/// Writes an OCI image layout (oci-layout, index.json, blobs/sha256/…) to a directory. Every blob, manifests
/// included, is serialized exactly once and its digest is taken over those bytes; nothing is re-serialized.
/// JSON is compact and in the field order of the Go image-spec structs, so a client that rebuilds a manifest
/// from its own storage (podman push) produces the same bytes and therefore the same digest.
/// </summary>
public sealed class OciLayoutBuilder
{
    public const string ManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string IndexType = "application/vnd.oci.image.index.v1+json";
    public const string ConfigType = "application/vnd.oci.image.config.v1+json";
    public const string EmptyType = "application/vnd.oci.empty.v1+json";
    public const string TarLayerType = "application/vnd.oci.image.layer.v1.tar";
    public const string GzipLayerType = "application/vnd.oci.image.layer.v1.tar+gzip";
    private const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly List<OciDescriptor> _tagged = [];

    public OciLayoutBuilder(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(BlobDirectory);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        WriteIndexJson();
    }

    public string Directory { get; }

    public string BlobDirectory => Path.Combine(Directory, "blobs", "sha256");

    public string BlobPath(string digest) => Path.Combine(BlobDirectory, digest["sha256:".Length..]);

    /// <summary>The layout reference skopeo understands: <c>oci:&lt;dir&gt;:&lt;tag&gt;</c>.</summary>
    public string Reference(string tag) => $"oci:{Directory}:{tag}";

    public static string Sha256(ReadOnlySpan<byte> bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>Writes <paramref name="bytes"/> under its digest and returns its descriptor.</summary>
    public OciDescriptor AddBlob(string mediaType, byte[] bytes)
    {
        var digest = Sha256(bytes);
        File.WriteAllBytes(BlobPath(digest), bytes);
        return new OciDescriptor(mediaType, digest, bytes.Length);
    }

    /// <summary>
    /// Adds a layer: a tar holding one file <paramref name="fileName"/> with <paramref name="content"/>, gzipped
    /// or plain. Returns the layer descriptor and its diff_id (the digest of the uncompressed tar).
    /// </summary>
    public (OciDescriptor Layer, string DiffId) AddLayer(string fileName, byte[] content, bool gzip)
    {
        var tar = MakeTar(fileName, content);
        var diffId = Sha256(tar);
        if (!gzip)
        {
            return (AddBlob(TarLayerType, tar), diffId);
        }

        using var compressed = new MemoryStream();
        using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(tar);
        }

        return (AddBlob(GzipLayerType, compressed.ToArray()), diffId);
    }

    /// <summary>Adds an image config (created, architecture, os, rootfs.diff_ids) and returns its descriptor.</summary>
    public OciDescriptor AddConfig(string os, string architecture, IEnumerable<string> diffIds) => AddBlob(ConfigType, Json(w =>
    {
        w.WriteString("created", "2024-01-01T00:00:00Z");
        w.WriteString("architecture", architecture);
        w.WriteString("os", os);
        w.WriteStartObject("rootfs");
        w.WriteString("type", "layers");
        w.WriteStartArray("diff_ids");
        foreach (var diffId in diffIds)
        {
            w.WriteStringValue(diffId);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }));

    /// <summary>Adds an image manifest over <paramref name="config"/> and <paramref name="layers"/>.</summary>
    public OciDescriptor AddImageManifest(
        OciDescriptor config,
        IReadOnlyList<OciDescriptor> layers,
        string? artifactType = null,
        OciDescriptor? subject = null,
        IReadOnlyDictionary<string, string>? annotations = null)
    {
        var manifest = AddBlob(ManifestType, Json(w =>
        {
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", ManifestType);
            if (artifactType is not null)
            {
                w.WriteString("artifactType", artifactType);
            }

            w.WritePropertyName("config");
            WriteDescriptor(w, config);
            w.WriteStartArray("layers");
            foreach (var layer in layers)
            {
                WriteDescriptor(w, layer);
            }

            w.WriteEndArray();
            if (subject is not null)
            {
                w.WritePropertyName("subject");
                WriteDescriptor(w, subject);
            }

            WriteAnnotations(w, annotations);
        }));
        return manifest with { ArtifactType = artifactType, Annotations = annotations };
    }

    /// <summary>
    /// Adds an OCI 1.1 artifact: <paramref name="artifactType"/> set, config the empty descriptor (content
    /// <c>{}</c>), one empty layer, and a <c>subject</c> pointing at <paramref name="subject"/>.
    /// </summary>
    public OciDescriptor AddArtifact(string artifactType, OciDescriptor subject, IReadOnlyDictionary<string, string> annotations)
    {
        var empty = AddBlob(EmptyType, "{}"u8.ToArray());
        return AddImageManifest(empty, [empty], artifactType, subject, annotations);
    }

    /// <summary>Adds a single image: one layer per entry of <paramref name="layers"/>, a config and a manifest.</summary>
    public OciImage AddImage(string os, string architecture, params (string FileName, byte[] Content, bool Gzip)[] layers)
    {
        var built = layers.Select(l => AddLayer(l.FileName, l.Content, l.Gzip)).ToList();
        var config = AddConfig(os, architecture, built.Select(l => l.DiffId));
        var layerDescriptors = built.Select(l => l.Layer).ToList();
        var manifest = AddImageManifest(config, layerDescriptors);
        return new OciImage(manifest with { Platform = (os, architecture) }, config, layerDescriptors);
    }

    /// <summary>Adds an image index over <paramref name="manifests"/>, each listed with its platform.</summary>
    public OciDescriptor AddIndex(IReadOnlyList<OciDescriptor> manifests) => AddBlob(IndexType, Json(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteString("mediaType", IndexType);
        w.WriteStartArray("manifests");
        foreach (var manifest in manifests)
        {
            WriteDescriptor(w, manifest);
        }

        w.WriteEndArray();
    }));

    /// <summary>Names <paramref name="manifest"/> <paramref name="tag"/> in index.json, so <see cref="Reference"/> finds it.</summary>
    public void Tag(OciDescriptor manifest, string tag)
    {
        _tagged.Add(manifest with
        {
            Platform = null,
            ArtifactType = null,
            Annotations = new Dictionary<string, string> { [RefNameAnnotation] = tag },
        });
        WriteIndexJson();
    }

    private void WriteIndexJson() => File.WriteAllBytes(Path.Combine(Directory, "index.json"), Json(w =>
    {
        w.WriteNumber("schemaVersion", 2);
        w.WriteStartArray("manifests");
        foreach (var entry in _tagged)
        {
            WriteDescriptor(w, entry);
        }

        w.WriteEndArray();
    }));

    private static byte[] MakeTar(string fileName, byte[] content)
    {
        using var output = new MemoryStream(content.Length + (4 * 512));
        using (var writer = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            using var data = new MemoryStream(content, writable: false);
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, fileName)
            {
                DataStream = data,
                ModificationTime = Epoch,
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            });
        }

        return output.ToArray();
    }

    // Go's field order for descriptors: mediaType, digest, size, annotations, artifactType (1.1), platform.
    private static void WriteDescriptor(Utf8JsonWriter w, OciDescriptor d)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", d.MediaType);
        w.WriteString("digest", d.Digest);
        w.WriteNumber("size", d.Size);
        WriteAnnotations(w, d.Annotations);
        if (d.Platform is { } platform)
        {
            w.WriteStartObject("platform");
            w.WriteString("architecture", platform.Architecture);
            w.WriteString("os", platform.Os);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteAnnotations(Utf8JsonWriter w, IReadOnlyDictionary<string, string>? annotations)
    {
        if (annotations is null)
        {
            return;
        }

        w.WriteStartObject("annotations");
        foreach (var (key, value) in annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
