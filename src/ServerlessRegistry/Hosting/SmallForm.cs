using Microsoft.AspNetCore.Http.Features;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// Limits for the small forms the registry reads (token requests, page forms). The server's body limit is raised for
/// blob uploads (and is off under the Functions worker), so a form's request gets its own, lower one. Stateless.
/// </summary>
internal static class SmallForm
{
    /// <summary>The largest form accepted: an Entra access token with many claims, or a page's form, is a few KiB.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Form options bounding what ASP.NET buffers: at most <paramref name="valueCount"/> fields within <see cref="MaxBytes"/>.</summary>
    public static FormOptions Options(int valueCount) => new()
    {
        ValueCountLimit = valueCount,
        KeyLengthLimit = 256,
        ValueLengthLimit = MaxBytes,
        MultipartBodyLengthLimit = MaxBytes,
        MultipartHeadersCountLimit = 4,
        MultipartHeadersLengthLimit = 4096,
    };

    /// <summary>Lowers this request's body limit to <see cref="MaxBytes"/> where the server still allows it (before the first read).</summary>
    public static void LowerBodyLimit(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBytes;
        }
    }
}
