using System.Diagnostics;
using ServerlessRegistry.Api;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Errors;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// The registry's whole HTTP pipeline as one entry point over an <see cref="HttpContext"/>: public address, error
/// envelope, token endpoints (/oauth2/…), the OCI API (/v2/…), then the front ends (<see cref="IRegistryFrontEnd"/>: the web
/// interface), and "/" or not-found. Kestrel runs it as its
/// terminal delegate; the Functions worker runs it from its catch-all function, which has no middleware
/// pipeline or endpoint routing of its own to offer. Stateless: one instance serves every request concurrently.
/// </summary>
internal sealed class RegistryPipeline(AuthOptions auth, PublicAddress publicAddress, RegistryDispatcher dispatcher, IRegistryAuthorizer authorizer, ILoggerFactory loggers,
    IEnumerable<IRegistryFrontEnd> frontEnds)
{
    private readonly IRegistryFrontEnd[] _frontEnds = [.. frontEnds];
    private readonly ILogger _requests = loggers.CreateLogger(RegistryLog.RequestCategory);
    private readonly RequestDelegate _dispatch = dispatcher.DispatchAsync;

    private static readonly PathString OAuth2 = "/oauth2";
    private static readonly PathString V2 = "/v2";

    /// <summary>Answers one request; every failure becomes the OCI error envelope unless the response has started.</summary>
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var failed = true;
        try
        {
            publicAddress.Apply(context);
            await ErrorHandling.InvokeAsync(context, LimitedAsync);
            failed = false;
        }
        finally
        {
            LogRequest(context, started, failed);
        }
    }

    /// <summary>An exception that escapes the error handling ends the exchange as a 500 (or a reset, once started).</summary>
    private void LogRequest(HttpContext context, long started, bool failed)
    {
        var status = failed ? StatusCodes.Status500InternalServerError : context.Response.StatusCode;
        var level = status >= 500 ? LogLevel.Warning : LogLevel.Information;
        if (_requests.IsEnabled(level))
        {
            var request = context.Request;
            var elapsed = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
            var path = request.PathBase.Add(request.Path).Value ?? "/";
            var caller = authorizer.CallerOf(context) ?? "anonymous";
            RegistryLog.Request(_requests, level, request.Method, path, status, elapsed, caller);
        }
    }

    /// <summary>Kestrel's limits are raised above the registry's own, so the registry refuses with its envelope.</summary>
    private Task LimitedAsync(HttpContext context) => RequestLimits.InvokeAsync(context, RouteAsync);

    private Task RouteAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (auth.Enabled && path.StartsWithSegments(OAuth2, out var rest))
        {
            return BranchAsync(context, OAuth2, rest, TokenEndpoints.DispatchAsync);
        }

        if (path.StartsWithSegments(V2, out rest))
        {
            return BranchAsync(context, V2, rest, _dispatch);
        }

        return FrontEndAsync(context);
    }

    private async Task FrontEndAsync(HttpContext context)
    {
        foreach (var frontEnd in _frontEnds)
        {
            if (await frontEnd.TryHandleAsync(context))
            {
                return;
            }
        }

        await NotFoundAsync(context);
    }

    /// <summary>Runs a handler mounted under a prefix, as ASP.NET Core's Map does: PathBase gains it, Path keeps the rest.</summary>
    private static async Task BranchAsync(HttpContext context, PathString prefix, PathString rest, RequestDelegate handler)
    {
        var request = context.Request;
        var (path, pathBase) = (request.Path, request.PathBase);
        request.PathBase = pathBase.Add(prefix);
        request.Path = rest;
        try
        {
            await handler(context);
        }
        finally
        {
            request.PathBase = pathBase;
            request.Path = path;
        }
    }

    /// <summary>Without a front end, "/" answers at once and touches nothing (a liveness probe); everything else is an unknown route.</summary>
    private static Task NotFoundAsync(HttpContext context)
    {
        if (context.Request.Path == "/")
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            return Task.CompletedTask;
        }

        return ErrorWriter.WriteAsync(context, new RegistryException(ErrorKind.RouteUnknown, "no such endpoint"));
    }
}
