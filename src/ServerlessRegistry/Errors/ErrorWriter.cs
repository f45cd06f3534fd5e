using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Errors;

/// <summary>Writes the spec's error envelope: <c>{"errors":[{"code","message","detail"}]}</c>.</summary>
internal static class ErrorWriter
{
    public static async Task WriteAsync(HttpContext context, RegistryException error)
    {
        var entry = ErrorTable.For(error.Kind);
        var response = context.Response;
        if (error.Kind == ErrorKind.TooManyRequests || error.Kind == ErrorKind.Unavailable)
        {
            response.Headers.RetryAfter = error.RetryAfter is { } after
                ? ((long)Math.Ceiling(Math.Max(1, after.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture)
                : "5";
        }

        await JsonBody.WriteAsync(response, entry.Status, "application/json", json =>
        {
            json.WriteStartObject();
            json.WriteStartArray("errors");
            json.WriteStartObject();
            json.WriteString("code", entry.Code);
            json.WriteString("message", error.Message);
            if (error.Detail.Count > 0)
            {
                json.WriteStartObject("detail");
                foreach (var (key, value) in error.Detail)
                {
                    json.WriteString(key, value);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }, context.RequestAborted);
    }
}
