using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Web.Html;

namespace ServerlessRegistry.Web.Pages;

/// <summary>Failures as HTML pages with their status; an anonymous viewer on a 403 or 404 is offered to sign in and come back.</summary>
internal static class ErrorPage
{
    public static Task WriteAsync(WebRequest request, WebFailure failure)
    {
        var signIn = !request.Viewer.SignedIn && failure.Status is StatusCodes.Status403Forbidden or StatusCodes.Status404NotFound
            ? Html.Html.Of($"<p><a href=\"{Layout.SignInHref(request.LocalUrl)}\">Sign in</a> to see what your account may see.</p>")
            : Html.Html.Empty;
        var body = Html.Html.Of($"""
            {Layout.Notice(failure.Message, error: true)}
            {signIn}
            <p><a href="/">Back to the repositories</a></p>
            """);
        return WebResponse.WritePageAsync(request.Context, failure.Status, Layout.Page(request, failure.Title, body));
    }

    /// <summary>A refusal from the core, in the web's words: unknown things are "not found" (whatever kind), throttling and outages say to retry.</summary>
    public static WebFailure FromRegistry(RegistryException e) => e.Kind switch
    {
        ErrorKind.BlobUnknown or ErrorKind.ManifestUnknown or ErrorKind.NameUnknown or ErrorKind.NameInvalid
            or ErrorKind.TagInvalid or ErrorKind.DigestInvalid or ErrorKind.RouteUnknown => WebFailure.NotFound(),
        ErrorKind.Denied or ErrorKind.Unauthorized => WebFailure.Forbidden(),
        ErrorKind.Unsupported => new WebFailure(StatusCodes.Status409Conflict, "Refused", "The registry refused this: " + e.Message + "."),
        ErrorKind.TooManyRequests => new WebFailure(StatusCodes.Status429TooManyRequests, "Too many requests", "The registry is busy; try again in a moment."),
        ErrorKind.Unavailable => new WebFailure(StatusCodes.Status503ServiceUnavailable, "Unavailable", "Storage is unavailable or throttling; try again in a moment."),
        ErrorKind.Internal => new WebFailure(StatusCodes.Status500InternalServerError, "Error", "Something went wrong on the registry's side."),
        _ => WebFailure.BadRequest("The registry refused this: " + e.Message + "."),
    };
}
