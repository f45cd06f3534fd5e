using System.Text;

namespace ServerlessRegistry.Web;

/// <summary>
/// How the web interface answers: every page with the same security headers, never cached (pages depend on the
/// viewer), HEAD without a body. Stateless.
/// </summary>
internal static class WebResponse
{
    /// <summary>Scripts and styles only from this site, never inline; images may come from anywhere over https (README badges).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static void SecurityHeaders(HttpResponse response)
    {
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
    }

    public static async Task WritePageAsync(HttpContext context, int status, Html.Html page)
    {
        var response = context.Response;
        response.StatusCode = status;
        SecurityHeaders(response);
        response.Headers.CacheControl = "no-store";
        response.ContentType = "text/html; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(page.Value);
        response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(bytes, context.RequestAborted);
        }
    }

    /// <summary>303 See Other: after a POST the browser loads <paramref name="location"/> with GET.</summary>
    public static void SeeOther(HttpContext context, string location)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status303SeeOther;
        SecurityHeaders(response);
        response.Headers.CacheControl = "no-store";
        response.Headers.Location = location;
    }
}
