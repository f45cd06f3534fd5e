using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Hosting;
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

    /// <summary>
    /// The page for a failure, logged as the API's error handling logs it; null when the client went away (nothing to
    /// answer), so the exception reaches the pipeline, which ends the exchange quietly.
    /// </summary>
    public static WebFailure? FailureFor(HttpContext context, Exception e)
    {
        var (method, path) = (context.Request.Method, context.Request.Path.ToString());
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ServerlessRegistry.Web");
        switch (e)
        {
            case WebFailure failure:
                return failure;
            case RegistryException registry:
                return FromRegistry(registry);
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return WebFailure.TooLarge();
            case BadHttpRequestException:
                return WebFailure.BadRequest("The request was too large or malformed.");
            case StorageException { Failure: StorageFailure.Unavailable } storage:
                RegistryLog.StorageFailed(logger, storage, method, path);
                return FromRegistry(new RegistryException(ErrorKind.Unavailable, "storage is unavailable"));
            case StorageException { Failure: StorageFailure.AccessDenied } storage:
                RegistryLog.StorageAccessDenied(logger, storage, method, path, storage.Message);
                return FromRegistry(new RegistryException(ErrorKind.Internal, "storage refused the registry"));
            case StorageException storage:
                RegistryLog.StorageRejected(logger, storage, method, path, storage.Message);
                return FromRegistry(new RegistryException(ErrorKind.Internal, "storage rejected a request"));
            case OperationCanceledException or IOException when context.RequestAborted.IsCancellationRequested:
                return null;
            default:
                RegistryLog.Unhandled(logger, e, method, path);
                return FromRegistry(new RegistryException(ErrorKind.Internal, "the registry failed to handle the request"));
        }
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
