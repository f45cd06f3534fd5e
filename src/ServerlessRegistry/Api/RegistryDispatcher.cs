using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Api;

/// <summary>Matches a /v2/ request to its route-table entry and runs the handler.</summary>
internal static class RegistryDispatcher
{
    public static async Task DispatchAsync(HttpContext context)
    {
        // Mounted under /v2: the path here is the remainder ("" or "/…").
        var path = context.Request.Path.Value ?? "";
        var rest = path.StartsWith('/') ? path[1..] : path;
        if (!OciPath.TryParse(rest, out var oci))
        {
            Fail.With(ErrorKind.RouteUnknown, "no such endpoint");
        }

        if (oci.Resource is not (OciResource.Base or OciResource.Catalog) && !Names.IsValidRepository(oci.Repository))
        {
            Fail.With(ErrorKind.NameInvalid, "invalid repository name", ("name", oci.Repository));
        }

        var method = context.Request.Method;
        if (!RouteTable.Routes.TryGetValue((oci.Resource, method), out var route) &&
            !(HttpMethods.IsHead(method) && RouteTable.Routes.TryGetValue((oci.Resource, "GET"), out route)))
        {
            Fail.With(ErrorKind.MethodNotAllowed, $"{method} is not supported here");
        }

        var request = new RegistryRequest(context, oci);
        await request.Authorizer.AuthorizeAsync(context, oci.Repository, route.Access);
        await route.Handler(request);
    }
}
