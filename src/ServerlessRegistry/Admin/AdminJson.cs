using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessRegistry.Admin;

/// <summary>
/// The admin API's one JSON contract: camelCase names and enum values, nulls left out, unknown properties refused (a
/// typo in an apply file is an error, not a silent no-op), comments and trailing commas tolerated in what is read.
/// </summary>
internal static class AdminJson
{
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>
    /// For the command line reading what a registry answered: unknown properties are skipped, so a registry that gained a
    /// field still talks to an older command line.
    /// </summary>
    public static JsonSerializerOptions Answers { get; } = new(Options) { UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };

    /// <summary>The same contract, indented: the command line's --output json and the OpenAPI document.</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    public const string MediaType = "application/json";

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            WriteIndented = indented,
            // JSON for programs and people, never embedded in HTML: quotes and apostrophes stay readable.
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.MakeReadOnly();
        return options;
    }
}
