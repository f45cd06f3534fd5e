using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Hosting;

/// <summary>
/// The registry's limits on a request's target and headers, enforced in the app so a refusal carries the spec's error
/// envelope (414, 431).
/// </summary>
/// <remarks>
/// Kestrel answers requests over its own limits itself, before any middleware runs, with an empty body, and offers no
/// hook to change that response. Its limits are therefore set well above the registry's: requests between the two
/// reach <see cref="InvokeAsync"/> and get the envelope; only grossly oversized ones (and request lines Kestrel cannot
/// parse at all, such as a %00 in the path) still get Kestrel's bare answer.
/// </remarks>
internal static class RequestLimits
{
    /// <summary>The longest request target (path and query) served; Kestrel's default request line limit.</summary>
    public const int MaxRequestTarget = 8 * 1024;

    /// <summary>The most header bytes (names and values) served; Kestrel's default.</summary>
    public const int MaxHeaderBytes = 32 * 1024;

    public static void Configure(KestrelServerOptions kestrel)
    {
        kestrel.Limits.MaxRequestLineSize = 4 * MaxRequestTarget;
        kestrel.Limits.MaxRequestHeadersTotalSize = 4 * MaxHeaderBytes;
    }

    /// <summary>Runs inside the error handling, before routing.</summary>
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target?.Length > MaxRequestTarget)
        {
            Fail.With(ErrorKind.RequestTargetTooLong, $"the request target is longer than {MaxRequestTarget} bytes");
        }

        long headerBytes = 0;
        foreach (var (name, values) in context.Request.Headers)
        {
            // As Kestrel counts: name, ": ", value, CRLF.
            foreach (var value in values)
            {
                headerBytes += name.Length + (value?.Length ?? 0) + 4;
            }
        }

        if (headerBytes > MaxHeaderBytes)
        {
            Fail.With(ErrorKind.HeadersTooLarge, $"the request headers are larger than {MaxHeaderBytes} bytes");
        }

        return next(context);
    }
}
