using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>
/// Matches a /v2/ request to its route-table entry, checks access, parses the route values once, runs the handler and
/// executes the result it returns.
/// </summary>
internal sealed class RegistryDispatcher(EndpointServices services)
{
    public async Task DispatchAsync(HttpContext context)
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

        var repository = oci.Repository;
        foreach (var feature in services.Features)
        {
            repository = feature.MapRepository(repository, context.Request);
        }

        oci = oci with { Repository = repository };
        var method = context.Request.Method;
        if (!RouteTable.Routes.TryGetValue((oci.Resource, method), out var route) &&
            !(HttpMethods.IsHead(method) && RouteTable.Routes.TryGetValue((oci.Resource, "GET"), out route)))
        {
            Fail.With(ErrorKind.MethodNotAllowed, $"{method} is not supported here");
        }

        // Access first: a caller without it learns nothing from how its path parses.
        await services.Authorizer.AuthorizeAsync(context, oci.Repository, route.Access);
        var request = Values(context, oci, method);
        IResult? result = null;
        foreach (var feature in services.Features)
        {
            if ((result = await feature.HandleAsync(request, oci.Resource)) is not null)
            {
                break;
            }
        }

        result ??= await route.Handler(request);
        await result.ExecuteAsync(context);
    }

    private RegistryRequest Values(HttpContext context, OciPath oci, string method) => oci.Resource switch
    {
        OciResource.Blob or OciResource.Referrers => new(context, services, oci.Repository) { Digest = ManifestReference.ParseDigest(oci.Argument) },
        // A reference that cannot exist is simply not found on a read; a write with it is refused as invalid.
        OciResource.Manifest => new(context, services, oci.Repository)
        {
            Reference = HttpMethods.IsGet(method) || HttpMethods.IsHead(method)
                ? ManifestReference.ParseForRead(oci.Argument)
                : ManifestReference.Parse(oci.Argument),
        },
        OciResource.Upload => new(context, services, oci.Repository) { UploadId = oci.Argument },
        _ => new(context, services, oci.Repository),
    };
}
