using System.Text.Json;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Admin;

/// <summary>
/// Answers /api/admin/v1/…: finds the operation in <see cref="AdminRoutes"/>, authorizes the caller
/// (<see cref="AdminAccess"/>), runs the handler and writes its JSON, and logs the call with its caller. Refusals are
/// the registry's error envelope (the pipeline's error handling). Stateless and thread-safe.
/// </summary>
internal sealed class AdminFrontEnd(AdminAccess access, ILoggerFactory loggers) : IRegistryFrontEnd
{
    /// <summary>The caller named for calls the command line makes straight against storage.</summary>
    public const string LocalCaller = "local operator (storage)";

    private static readonly PathString Prefix = AdminRoutes.Prefix;
    private readonly ILogger _log = loggers.CreateLogger(AdminLog.Category);

    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(Prefix, out var rest))
        {
            return false;
        }

        var (operation, route) = Match(context.Request.Method, rest);
        string caller;
        try
        {
            caller = operation.Anonymous ? "anonymous" : await access.AuthorizeAsync(context);
        }
        catch (RegistryException e)
        {
            // Refusals are logged too: an audit of the admin API needs the attempts, not only the calls that ran.
            var status = Errors.ErrorTable.For(e.Kind).Status;
            AdminLog.Call(_log, operation.Id, context.Request.Method, context.Request.Path.Value ?? "", "refused", status);
            throw;
        }

        await RunAsync(context, operation, route, caller);
        return true;
    }

    /// <summary>
    /// Runs one call for the command line without HTTP or credentials (whoever can reach storage is its operator), through
    /// the same matching, handlers and error envelope as a call over HTTP. Only refusals become the envelope: a storage
    /// or network failure propagates, so the command line names its cause and what to do (<see cref="ServerlessRegistry.Cli.OperatorErrors"/>).
    /// </summary>
    public async Task RunLocalAsync(HttpContext context)
    {
        try
        {
            var rest = context.Request.Path.StartsWithSegments(Prefix, out var remainder) ? remainder : context.Request.Path;
            var (operation, route) = Match(context.Request.Method, rest);
            await RunAsync(context, operation, route, LocalCaller);
        }
        catch (RegistryException e)
        {
            await Errors.ErrorWriter.WriteAsync(context, e);
        }
    }

    private async Task RunAsync(HttpContext context, AdminOperation operation, Dictionary<string, string> route, string caller)
    {
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            var result = await operation.Handler(new AdminRequest(context, operation, route, caller));
            status = result.Status;
            await WriteAsync(context.Response, result);
        }
        catch (RegistryException e)
        {
            status = Errors.ErrorTable.For(e.Kind).Status;
            throw;
        }
        finally
        {
            AdminLog.Call(_log, operation.Id, context.Request.Method, context.Request.Path.Value ?? "", caller, status);
        }
    }

    private static async Task WriteAsync(HttpResponse response, AdminResult result)
    {
        response.StatusCode = result.Status;
        if (result.Body is null)
        {
            return;
        }

        // Bytes are a document written already (the OpenAPI document, served byte for byte as checked in).
        var bytes = result.Body as byte[] ?? JsonSerializer.SerializeToUtf8Bytes(result.Body, result.Body.GetType(), AdminJson.Options);
        response.ContentType = AdminJson.MediaType;
        response.ContentLength = bytes.Length;
        response.Headers.CacheControl = "no-store";
        await response.Body.WriteAsync(bytes, response.HttpContext.RequestAborted);
    }

    /// <summary>The operation for a method and a path under the prefix: 404 for no such path, 405 for a path without that method.</summary>
    private static (AdminOperation Operation, Dictionary<string, string> Route) Match(string method, PathString rest)
    {
        var segments = (rest.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var pathKnown = false;
        foreach (var operation in AdminRoutes.Operations)
        {
            if (TryBind(operation.Segments, segments) is not { } route)
            {
                continue;
            }

            pathKnown = true;
            if (string.Equals(operation.Method, method, StringComparison.OrdinalIgnoreCase) ||
                operation.Method == "GET" && HttpMethods.IsHead(method))
            {
                return (operation, route);
            }
        }

        return pathKnown
            ? Fail.With<(AdminOperation, Dictionary<string, string>)>(ErrorKind.MethodNotAllowed, $"{method} is not supported here")
            : Fail.With<(AdminOperation, Dictionary<string, string>)>(ErrorKind.RouteUnknown, "no such admin endpoint; see /api/admin/v1/openapi.json");
    }

    private static Dictionary<string, string>? TryBind(string[] template, string[] segments)
    {
        if (template.Length != segments.Length)
        {
            return null;
        }

        var route = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] is ['{', .. var name, '}'])
            {
                route[name] = Uri.UnescapeDataString(segments[i]);
            }
            else if (!string.Equals(template[i], segments[i], StringComparison.Ordinal))
            {
                return null;
            }
        }

        return route;
    }
}
