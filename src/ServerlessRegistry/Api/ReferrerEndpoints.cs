using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Api;

/// <summary>end-12: the referrers of a subject, as an image index.</summary>
internal static class ReferrerEndpoints
{
    public static async Task<IResult> ListReferrers(RegistryRequest request)
    {
        var artifactType = request.Query("artifactType");
        var referrers = await request.Referrers.ListAsync(request.Repository, request.Digest.Value, artifactType, request.Aborted);
        return new JsonListResult(MediaTypes.OciIndex, json =>
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", 2);
            json.WriteString("mediaType", MediaTypes.OciIndex);
            json.WriteStartArray("manifests");
            foreach (var referrer in referrers)
            {
                json.WriteStartObject();
                json.WriteString("mediaType", referrer.MediaType);
                json.WriteString("digest", referrer.Digest);
                json.WriteNumber("size", referrer.Size);
                if (referrer.ArtifactType is not null)
                {
                    json.WriteString("artifactType", referrer.ArtifactType);
                }

                if (referrer.AnnotationsJson is not null)
                {
                    // Copied as stored: the manifest's own annotations object, validated when it was pushed.
                    json.WritePropertyName("annotations");
                    json.WriteRawValue(referrer.AnnotationsJson, skipInputValidation: true);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        })
        {
            FiltersApplied = artifactType is not null ? "artifactType" : null,
        };
    }
}
