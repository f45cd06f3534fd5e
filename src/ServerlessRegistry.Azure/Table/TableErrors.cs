using System.Text.Json;
using Azure;

namespace ServerlessRegistry.Azure.Table;

/// <summary>Reads what a Table response says about itself: error code, error message, ETag.</summary>
internal static class TableErrors
{
    /// <summary>The x-ms-error-code header, or else odata.error.code from the body.</summary>
    public static string? Code(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var code) && !string.IsNullOrEmpty(code)
            ? code
            : ReadError(BodyText(response)).Code;

    public static string Describe(Response response, string? code)
    {
        var message = ReadError(BodyText(response)).Message;
        return $"{response.Status} {code ?? response.ReasonPhrase}{(message is null ? "" : ": " + message)}";
    }

    /// <summary>The ETag header exactly as sent; the service compares it byte-for-byte on the way back.</summary>
    public static string ETag(Response response) =>
        response.Headers.TryGetValue("ETag", out var etag) ? etag ?? "" : "";

    /// <summary>Code and message of an OData error body; nulls when the body is not one.</summary>
    public static (string? Code, string? Message) ReadError(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.Trim());
            if (document.RootElement.ValueKind == JsonValueKind.Object &&
                document.RootElement.TryGetProperty("odata.error", out var error))
            {
                var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object &&
                              m.TryGetProperty("value", out var v) ? v.GetString() : null;
                return (code, message);
            }
        }
        catch (JsonException)
        {
            // Not JSON (empty body, HTML from a proxy): the status alone has to do.
        }

        return (null, null);
    }

    private static string BodyText(Response response) => response.Content?.ToString() ?? "";
}
