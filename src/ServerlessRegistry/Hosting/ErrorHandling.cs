using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Errors;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// The outermost step of <see cref="RegistryPipeline"/>: stamps the API version header and turns every failure into
/// the spec's error envelope, so no request ends in a bare 500.
/// </summary>
internal static class ErrorHandling
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        try
        {
            await next(context);
        }
        catch (RegistryException e) when (!context.Response.HasStarted)
        {
            await RefuseAsync(context, e);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            var kind = e.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => ErrorKind.SizeInvalid,
                StatusCodes.Status408RequestTimeout => ErrorKind.RequestTimeout,
                _ => ErrorKind.BlobUploadInvalid,
            };
            await RefuseAsync(context, new RegistryException(kind, e.Message));
        }
        catch (StorageException e) when (!context.Response.HasStarted)
        {
            var logger = Logger(context, "ServerlessRegistry.Storage");
            var (method, path) = (context.Request.Method, context.Request.Path.ToString());
            switch (e.Failure)
            {
                case StorageFailure.Unavailable:
                    RegistryLog.StorageFailed(logger, e, method, path);
                    await RefuseAsync(context, new RegistryException(ErrorKind.Unavailable, "storage is unavailable; try again"));
                    return;
                case StorageFailure.AccessDenied:
                    // The operator's configuration, not load: a retry cannot succeed, so no 503.
                    RegistryLog.StorageAccessDenied(logger, e, method, path, e.Message);
                    break;
                default:
                    RegistryLog.StorageRejected(logger, e, method, path, e.Message);
                    break;
            }

            await RefuseAsync(context, new RegistryException(ErrorKind.Internal, "the registry failed to handle the request"));
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted)
        {
            RegistryLog.Unhandled(Logger(context, "ServerlessRegistry"), e, context.Request.Method, context.Request.Path);
            await RefuseAsync(context, new RegistryException(ErrorKind.Internal, "the registry failed to handle the request"));
        }
    }

    private static ILogger Logger(HttpContext context, string category) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(category);

    private static Task RefuseAsync(HttpContext context, RegistryException error) => ErrorWriter.WriteAsync(context, error);
}
