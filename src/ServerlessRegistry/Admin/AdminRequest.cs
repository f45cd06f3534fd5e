using System.Globalization;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Admin;

/// <summary>
/// One admin call as its handler sees it: the route values, query and body read and checked, the caller named, the
/// registry's services. A value that does not parse is INVALID (400) naming it.
/// </summary>
internal sealed class AdminRequest(HttpContext context, AdminOperation operation, IReadOnlyDictionary<string, string> route, string caller)
{
    public HttpContext Context => context;

    public AdminOperation Operation => operation;

    /// <summary>Who is calling, for logs and records: "entra:tid/oid", "token:name", or the local operator.</summary>
    public string Caller => caller;

    public IServiceProvider Services => context.RequestServices;

    public CancellationToken Aborted => context.RequestAborted;

    public T Service<T>() where T : notnull => context.RequestServices.GetRequiredService<T>();

    /// <summary>A route value, as the path named it (unescaped).</summary>
    public string Route(string name) => route[name];

    public string? Query(string name) => context.Request.Query[name].ToString() is { Length: > 0 } value ? value : null;

    public string RequiredQuery(string name) => Query(name) ?? Fail.With<string>(ErrorKind.Invalid, $"the query parameter '{name}' is required");

    /// <summary>true, false, or absent (false).</summary>
    public bool Flag(string name) => Query(name) switch
    {
        null => false,
        var v when bool.TryParse(v, out var flag) => flag,
        var v => Fail.With<bool>(ErrorKind.Invalid, $"the query parameter '{name}' must be true or false, not '{v}'"),
    };

    public int? Integer(string name) => Query(name) switch
    {
        null => null,
        var v when int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var number) => number,
        var v => Fail.With<int?>(ErrorKind.Invalid, $"the query parameter '{name}' must be a whole number, not '{v}'"),
    };

    public AdminPaging Paging() => AdminPaging.From(context.Request);

    /// <summary>The JSON body as <typeparamref name="T"/>; a missing, malformed or mistyped body is INVALID with the parser's reason.</summary>
    public async Task<T> BodyAsync<T>() where T : class
    {
        // A browser sends a cross-site form or text/plain POST without asking first; JSON it must ask for, and is refused.
        // So a page a developer visits cannot drive a local registry whose auth is off.
        if (!MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) || !string.Equals(type.MediaType.Value, AdminJson.MediaType, StringComparison.OrdinalIgnoreCase))
        {
            Fail.With(ErrorKind.Invalid, $"send the body as {AdminJson.MediaType} (Content-Type)");
        }

        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(context.Request.Body, AdminJson.Options, context.RequestAborted);
            return body ?? Fail.With<T>(ErrorKind.Invalid, "the request needs a JSON body");
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : "";
            return Fail.With<T>(ErrorKind.Invalid, $"the body is not a valid {typeof(T).Name}{where}: {FirstSentence(e.Message)}");
        }
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message.TrimEnd('.') : message[..end];
    }
}
