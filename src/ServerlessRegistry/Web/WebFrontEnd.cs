using ServerlessRegistry.Hosting;
using ServerlessRegistry.Web.Html;
using ServerlessRegistry.Web.Pages;

namespace ServerlessRegistry.Web;

/// <summary>
/// The web interface's seam into the pipeline: every request outside /v2 and /oauth2. Answers the paths of
/// <see cref="WebRoutes"/> (and the OpenID Connect callback through <see cref="WebSession"/>); anything else is left to
/// the pipeline's not-found. Failures become HTML error pages, never the OCI JSON envelope. Thread-safe singleton.
/// </summary>
internal sealed class WebFrontEnd(WebOptions options, WebSession session, TimeProvider time) : IRegistryFrontEnd
{
    private static readonly WebViewer Anonymous = new(null, null, [], false);

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (!options.Enabled)
        {
            return false;
        }

        var path = WebPath.Parse(context.Request.Path.Value ?? "/");
        WebRequest? request = null;
        try
        {
            // Inside the try: a failed callback is an HTML page too, not the API's JSON envelope.
            if (await session.TryHandleCallbackAsync(context))
            {
                return true;
            }

            if (path.Resource == WebResource.None)
            {
                return false;
            }

            if (path.Resource == WebResource.Static)
            {
                await StaticAsync(context, path);
                return true;
            }

            request = new WebRequest(context, await session.ViewerAsync(context), path, session, time);
            var handler = path.Resource == WebResource.Unknown ? null : WebRoutes.Find(path.Resource, context.Request.Method);
            if (handler is null)
            {
                throw path.Resource == WebResource.Unknown || !HasAnyMethod(path.Resource) ? WebFailure.NotFound() : MethodNotAllowed(context, path.Resource);
            }

            await handler(request);
        }
        catch (Exception e) when (!context.Response.HasStarted && ErrorPage.FailureFor(context, e) is { } failure)
        {
            // The viewer may be what failed (storage down while reading the session); the page then shows the anonymous header.
            request ??= new WebRequest(context, Anonymous, path, session, time);
            await ErrorPage.WriteAsync(request, failure);
        }

        return true;
    }

    private static bool HasAnyMethod(WebResource resource) => WebRoutes.Routes.Keys.Any(k => k.Resource == resource);

    private static WebFailure MethodNotAllowed(HttpContext context, WebResource resource)
    {
        var methods = WebRoutes.Routes.Keys.Where(k => k.Resource == resource).Select(k => k.Method).ToList();
        if (methods.Contains("GET"))
        {
            methods.Add("HEAD");
        }

        context.Response.Headers.Allow = string.Join(", ", methods);
        return new WebFailure(StatusCodes.Status405MethodNotAllowed, "Method not allowed", "This page does not accept that kind of request.");
    }

    private static async Task StaticAsync(HttpContext context, WebPath path)
    {
        var method = context.Request.Method;
        if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = "GET, HEAD";
            return;
        }

        if (StaticAssets.Find(path.Digest, path.File) is { } asset)
        {
            await StaticAssets.WriteAsync(context, asset);
            return;
        }

        // A stale hash or an unknown file; no page around it, since a stylesheet link never shows its body.
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        WebResponse.SecurityHeaders(context.Response);
    }
}
