using System.Text.Json;

namespace ServerlessRegistry.Api;

/// <summary>Writes a small JSON document with an exact Content-Length (clients and proxies like knowing it).</summary>
internal static class JsonBody
{
    public static async Task WriteAsync(HttpResponse response, int status, string contentType, Action<Utf8JsonWriter> write, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = buffer.Length;
        if (!HttpMethods.IsHead(response.HttpContext.Request.Method))
        {
            await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
        }
    }
}
