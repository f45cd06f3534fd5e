using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Admin;

/// <summary>An admin handler: the request with its route values parsed and its caller authorized, and what to answer.</summary>
internal delegate Task<AdminResult> AdminHandler(AdminRequest request);

/// <summary>
/// One operation of the admin API as <see cref="AdminRoutes"/> lists it: method, path under /api/admin/v1 (segments in braces
/// are route values, one segment each), the OpenAPI operation id, and the types of its body and answer. The OpenAPI
/// document (<see cref="AdminOpenApi"/>) and the command line's calls (<see cref="Cli.IAdminChannel"/>) are derived from it.
/// </summary>
internal sealed record AdminOperation(string Method, string Path, string Id, string Tag, string Summary, AdminHandler Handler)
{
    /// <summary>The JSON body's type, or null when the operation takes none.</summary>
    public Type? Body { get; init; }

    /// <summary>The success answer's type, or null for 204.</summary>
    public Type? Response { get; init; }

    /// <summary>The success status (200, 201 or 204).</summary>
    public int Status { get; init; } = 200;

    /// <summary>A create-or-replace: 201 when it created, <see cref="Status"/> (200) when it replaced.</summary>
    public bool MayCreate { get; init; }

    /// <summary>Query parameters besides paging.</summary>
    public IReadOnlyList<AdminParameter> Query { get; init; } = [];

    /// <summary>A list answered a page at a time (<see cref="AdminPaging"/>: n and last).</summary>
    public bool Paged { get; init; }

    /// <summary>Refusals this operation can answer besides the ones every call can (400, 401, 403).</summary>
    public IReadOnlyList<ErrorKind> Errors { get; init; } = [];

    /// <summary>Callable without credentials (the OpenAPI document only).</summary>
    public bool Anonymous { get; init; }

    public string[] Segments { get; } = Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A query parameter as the OpenAPI document describes it: string, boolean or integer.</summary>
internal sealed record AdminParameter(string Name, Type Type, string Description, bool Required = false);

/// <summary>What a handler answers: a status and a body serialized with <see cref="AdminJson.Options"/> (none for 204).</summary>
internal sealed record AdminResult(int Status, object? Body)
{
    public static AdminResult Ok(object body) => new(StatusCodes.Status200OK, body);

    public static AdminResult Created(object body) => new(StatusCodes.Status201Created, body);

    public static AdminResult NoContent { get; } = new(StatusCodes.Status204NoContent, null);
}
