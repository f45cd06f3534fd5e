using System.Text.Json;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Core.Manifests;

/// <summary>A content descriptor: what a manifest says about one blob or manifest it references.</summary>
internal sealed record Descriptor(string MediaType, string Digest, long Size, bool HasUrls);

/// <summary>
/// What the registry needs from a manifest: its type, what it references, and its referrer facts. The bytes
/// themselves are kept and served verbatim; this is only a reading of them.
/// </summary>
internal sealed record ParsedManifest(
    string MediaType,
    Descriptor? Config,
    IReadOnlyList<Descriptor> Layers,
    IReadOnlyList<Descriptor> Manifests,
    Descriptor? Subject,
    string? ArtifactType,
    string? AnnotationsJson)
{
    /// <summary>The artifactType a referrers listing shows: the manifest's own, else its config's media type.</summary>
    public string? EffectiveArtifactType => ArtifactType ?? (MediaTypes.IsManifest(MediaType) ? Config?.MediaType : null);

    /// <summary>
    /// Parses and validates manifest bytes. The media type comes from the Content-Type when given, else from the
    /// document; the two must agree. Throws MANIFEST_INVALID for anything malformed or unsupported.
    /// </summary>
    public static ParsedManifest Parse(ReadOnlyMemory<byte> bytes, string? contentType)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return Fail.With<ParsedManifest>(ErrorKind.ManifestInvalid, "the manifest is not valid JSON: " + e.Message);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                Fail.With(ErrorKind.ManifestInvalid, "the manifest must be a JSON object");
            }

            if (!root.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number ||
                !version.TryGetInt32(out var schemaVersion) || schemaVersion != 2)
            {
                Fail.With(ErrorKind.ManifestInvalid, "schemaVersion must be 2");
            }

            var declared = OptionalString(root, "mediaType");
            var mediaType = MediaTypes.Essence(contentType) ?? declared ?? Infer(root);
            if (declared is not null && declared != mediaType)
            {
                Fail.With(ErrorKind.ManifestInvalid, $"the manifest's mediaType {declared} does not match Content-Type {mediaType}");
            }

            if (!MediaTypes.IsSupported(mediaType))
            {
                Fail.With(ErrorKind.ManifestInvalid, $"unsupported manifest media type {mediaType}");
            }

            Descriptor? config = null;
            IReadOnlyList<Descriptor> layers = [];
            IReadOnlyList<Descriptor> manifests = [];
            if (MediaTypes.IsManifest(mediaType))
            {
                config = root.TryGetProperty("config", out var c) ? ReadDescriptor(c, "config") : Fail.With<Descriptor>(ErrorKind.ManifestInvalid, "config is required");
                layers = ReadDescriptors(root, "layers", required: true);
            }
            else
            {
                manifests = ReadDescriptors(root, "manifests", required: true);
            }

            var subject = root.TryGetProperty("subject", out var s) && s.ValueKind != JsonValueKind.Null ? ReadDescriptor(s, "subject") : null;
            string? annotations = null;
            if (root.TryGetProperty("annotations", out var a) && a.ValueKind != JsonValueKind.Null)
            {
                if (a.ValueKind != JsonValueKind.Object || a.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
                {
                    Fail.With(ErrorKind.ManifestInvalid, "annotations must map strings to strings");
                }

                annotations = a.GetRawText();
            }

            return new ParsedManifest(mediaType, config, layers, manifests, subject, OptionalString(root, "artifactType"), annotations);
        }
    }

    private static string Infer(JsonElement root) =>
        root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex :
        root.TryGetProperty("config", out _) ? MediaTypes.OciManifest :
        Fail.With<string>(ErrorKind.ManifestInvalid, "the manifest has no media type");

    private static string? OptionalString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : Fail.With<string>(ErrorKind.ManifestInvalid, name + " must be a string");
    }

    private static List<Descriptor> ReadDescriptors(JsonElement root, string name, bool required)
    {
        if (!root.TryGetProperty(name, out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return required ? Fail.With<List<Descriptor>>(ErrorKind.ManifestInvalid, name + " is required") : [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            Fail.With(ErrorKind.ManifestInvalid, name + " must be an array");
        }

        return array.EnumerateArray().Select(d => ReadDescriptor(d, name)).ToList();
    }

    private static Descriptor ReadDescriptor(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            Fail.With(ErrorKind.ManifestInvalid, where + ": a descriptor must be an object");
        }

        var mediaType = OptionalString(element, "mediaType") ?? Fail.With<string>(ErrorKind.ManifestInvalid, where + ": mediaType is required");
        var digestText = OptionalString(element, "digest");
        if (Digest.TryParse(digestText, out Digest digest) != DigestParseResult.Ok)
        {
            Fail.With(ErrorKind.ManifestInvalid, $"{where}: invalid digest {digestText}");
        }

        long size = -1;
        if (!element.TryGetProperty("size", out var sizeElement) || sizeElement.ValueKind != JsonValueKind.Number ||
            !sizeElement.TryGetInt64(out size) || size < 0)
        {
            Fail.With(ErrorKind.ManifestInvalid, where + ": size must be a non-negative integer");
        }

        var hasUrls = element.TryGetProperty("urls", out var urls) && urls.ValueKind == JsonValueKind.Array && urls.GetArrayLength() > 0;
        return new Descriptor(mediaType, digest.Value, size, hasUrls);
    }
}
