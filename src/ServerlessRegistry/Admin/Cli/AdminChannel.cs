using System.Text;
using System.Text.Json;

namespace ServerlessRegistry.Admin.Cli;

/// <summary>One admin call from the command line: the operation, its route values, query and body.</summary>
internal sealed record AdminCall(string OperationId)
{
    public IReadOnlyDictionary<string, string> Route { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string?> Query { get; init; } = new Dictionary<string, string?>();

    public object? Body { get; init; }

    /// <summary>The path and query under the host, route values escaped: /api/admin/v1/tokens/ci?n=10.</summary>
    public string Target()
    {
        var operation = AdminRoutes.ById[OperationId];
        var path = new StringBuilder(AdminRoutes.Prefix);
        foreach (var segment in operation.Segments)
        {
            path.Append('/').Append(segment.StartsWith('{') ? Uri.EscapeDataString(Route[segment[1..^1]]) : segment);
        }

        var separator = '?';
        foreach (var (key, value) in Query)
        {
            if (value is not null)
            {
                path.Append(separator).Append(Uri.EscapeDataString(key)).Append('=').Append(Uri.EscapeDataString(value));
                separator = '&';
            }
        }

        return path.ToString();
    }

    public byte[]? BodyBytes() => Body switch
    {
        null => null,
        byte[] raw => raw,
        _ => JsonSerializer.SerializeToUtf8Bytes(Body, Body.GetType(), AdminJson.Options),
    };
}

/// <summary>What the admin API answered: the status and the JSON body (empty for 204).</summary>
internal sealed record AdminReply(int Status, byte[] Body)
{
    public bool Succeeded => Status is >= 200 and < 300;

    public T Read<T>() => JsonSerializer.Deserialize<T>(Body, AdminJson.Answers)!;

    /// <summary>The refusal's code and message from the error envelope, or the bare status when the body is not one.</summary>
    public (string Code, string Message) Error()
    {
        try
        {
            using var document = JsonDocument.Parse(Body);
            var first = document.RootElement.GetProperty("errors")[0];
            return (first.GetProperty("code").GetString() ?? "", first.GetProperty("message").GetString() ?? "");
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return ("", $"the registry answered {Status} without an error body");
        }
    }
}

/// <summary>A refusal the admin API answered; the command line prints its message as its one error line.</summary>
internal sealed class AdminCallException(AdminReply reply) : Exception(reply.Error().Message)
{
    public AdminReply Reply { get; } = reply;

    public string Code => Reply.Error().Code;
}

/// <summary>
/// Where the command line's admin calls go: the registry's admin API over HTTP (<c>--registry</c>), or the same
/// handlers in-process against storage. Both answer the same bytes for the same state, so a command prints the same
/// either way. Implementations are used by one command at a time.
/// </summary>
internal interface IAdminChannel
{
    /// <summary>"the registry at https://…" or "storage": for messages.</summary>
    string Describe { get; }

    Task<AdminReply> SendAsync(AdminCall call, CancellationToken ct);
}

/// <summary>Calls and paging on top of a channel.</summary>
internal static class AdminChannelCalls
{
    /// <summary>The answer as <typeparamref name="T"/>; a refusal throws <see cref="AdminCallException"/>.</summary>
    public static async Task<T> CallAsync<T>(this IAdminChannel channel, AdminCall call, CancellationToken ct) =>
        (await channel.SucceedAsync(call, ct)).Read<T>();

    /// <summary>The reply of a call that succeeded; a refusal throws <see cref="AdminCallException"/>.</summary>
    public static async Task<AdminReply> SucceedAsync(this IAdminChannel channel, AdminCall call, CancellationToken ct)
    {
        var reply = await channel.SendAsync(call, ct);
        return reply.Succeeded ? reply : throw new AdminCallException(reply);
    }

    /// <summary>Every item of a paged list, following next until the last page.</summary>
    public static async Task<List<T>> ListAllAsync<T>(this IAdminChannel channel, AdminCall call, CancellationToken ct)
    {
        var items = new List<T>();
        string? last = null;
        do
        {
            var query = new Dictionary<string, string?>(call.Query) { ["n"] = AdminPaging.Max.ToString(System.Globalization.CultureInfo.InvariantCulture), ["last"] = last };
            var page = await channel.CallAsync<Page<T>>(call with { Query = query }, ct);
            items.AddRange(page.Items);
            last = page.Next;
        }
        while (last is not null);

        return items;
    }
}

/// <summary>Calls the admin handlers in-process, through <see cref="AdminFrontEnd.RunLocalAsync"/>, with the command's services.</summary>
internal sealed class LocalAdminChannel(IServiceProvider services) : IAdminChannel
{
    public string Describe => "storage";

    public async Task<AdminReply> SendAsync(AdminCall call, CancellationToken ct)
    {
        var operation = AdminRoutes.ById[call.OperationId];
        var target = call.Target();
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var context = new DefaultHttpContext { RequestServices = services, RequestAborted = ct };
        context.Request.Method = operation.Method;
        context.Request.Path = PathString.FromUriComponent(queryStart < 0 ? target : target[..queryStart]);
        context.Request.QueryString = queryStart < 0 ? QueryString.Empty : new QueryString(target[queryStart..]);
        if (call.BodyBytes() is { } body)
        {
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentType = AdminJson.MediaType;
            context.Request.ContentLength = body.Length;
        }

        using var response = new MemoryStream();
        context.Response.Body = response;
        await services.GetRequiredService<AdminFrontEnd>().RunLocalAsync(context);
        return new AdminReply(context.Response.StatusCode, response.ToArray());
    }
}
