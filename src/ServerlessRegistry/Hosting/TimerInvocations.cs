using System.Collections.Frozen;
using System.Net;
using System.Text.Json;
using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Errors;
using ServerlessRegistry.Maintenance;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// The Functions host's timer invocations: the host POSTs <c>/&lt;FunctionName&gt;</c> with a JSON envelope
/// (<c>{"Data":{"timer":…},"Metadata":{…}}</c>) and expects 2xx <c>application/json</c>
/// <c>{"Outputs":{},"Logs":[…],"ReturnValue":null}</c>; a non-2xx answer marks the invocation failed.
/// </summary>
/// <remarks>
/// With routePrefix "" the public catch-all function forwards every path, so a public POST /CollectGarbage
/// reaches this port too. Host invocations come straight from the host on loopback without X-Forwarded-*
/// headers; the proxy always adds them to public traffic. Anything else gets the same answer as an unknown
/// route. (Inferred from the host's source; to confirm on the first deployment.) Runs before auth: the host
/// has no registry credentials.
/// </remarks>
internal static class TimerInvocations
{
    /// <summary>Timer function name (its folder under Functions/) → the maintenance job it runs.</summary>
    private static readonly FrozenDictionary<string, Func<MaintenanceJobs, CancellationToken, Task<string>>> Jobs =
        new Dictionary<string, Func<MaintenanceJobs, CancellationToken, Task<string>>>(StringComparer.OrdinalIgnoreCase)
        {
            ["CollectGarbage"] = static (jobs, ct) => jobs.CollectGarbageAsync(ct),
            ["ExpireUploads"] = static (jobs, ct) => jobs.ExpireUploadsAsync(ct),
        }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The timer functions this program answers (a test checks each has a timerTrigger function.json).</summary>
    public static IEnumerable<string> Functions => Jobs.Keys;

    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var request = context.Request;
        var path = request.Path.Value;
        if (!HttpMethods.IsPost(request.Method) || path is not { Length: > 1 } || path.IndexOf('/', 1) >= 0
            || !Jobs.TryGetValue(path[1..], out var job))
        {
            await next(context);
            return;
        }

        var name = path[1..];
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("ServerlessRegistry.Functions");
        var remote = context.Connection.RemoteIpAddress;
        if (ProxiedRequest.IsProxied(context) || remote is null || !IPAddress.IsLoopback(remote))
        {
            FunctionsLog.TimerRefused(logger, path, remote?.ToString() ?? "?");
            context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
            await ErrorWriter.WriteAsync(context, new RegistryException(ErrorKind.RouteUnknown, "no such endpoint"));
            return;
        }

        var pastDue = await ReadPastDueAsync(request, context.RequestAborted);
        FunctionsLog.TimerStarted(logger, name, pastDue);
        var jobs = ActivatorUtilities.GetServiceOrCreateInstance<MaintenanceJobs>(context.RequestServices);
        string line;
        int status;
        try
        {
            var summary = await job(jobs, context.RequestAborted);
            FunctionsLog.TimerFinished(logger, name, summary);
            (status, line) = (StatusCodes.Status200OK, $"{name}: {summary}");
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Failing the invocation (non-2xx) is what makes the host record it as failed in Application Insights.
            FunctionsLog.TimerFailed(logger, e, name);
            (status, line) = (StatusCodes.Status500InternalServerError, $"{name} failed: {e.GetType().Name}: {e.Message}");
        }

        await JsonBody.WriteAsync(context.Response, status, "application/json", json =>
        {
            json.WriteStartObject();
            json.WriteStartObject("Outputs");
            json.WriteEndObject();
            json.WriteStartArray("Logs");
            json.WriteStringValue(line);
            json.WriteEndArray();
            json.WriteNull("ReturnValue");
            json.WriteEndObject();
        }, context.RequestAborted);
    }

    /// <summary>
    /// Reads the invocation envelope for its one useful fact, Data.timer.IsPastDue. The TimerInfo shape is not
    /// documented for custom handlers, so anything unexpected means "not past due" rather than a failure.
    /// </summary>
    private static async Task<bool> ReadPastDueAsync(HttpRequest request, CancellationToken ct)
    {
        try
        {
            using var envelope = await JsonDocument.ParseAsync(request.Body, default, ct);
            return envelope.RootElement.ValueKind == JsonValueKind.Object
                && envelope.RootElement.TryGetProperty("Data", out var data) && data.ValueKind == JsonValueKind.Object
                && data.TryGetProperty("timer", out var timer) && timer.ValueKind == JsonValueKind.Object
                && timer.TryGetProperty("IsPastDue", out var pastDue) && pastDue.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
