using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// The mirror's request hook. A repository under a cache rule is read-only and read through: its manifests and blobs
/// come from the local cache when present (and, for tags, checked recently), else from the upstream, and are stored as
/// they pass. Deletes, tag lists and referrers are the core's, over what is cached.
/// </summary>
internal sealed class MirrorFeature(CacheRules rules, MirrorManifests manifests, MirrorBlobs blobs) : IRegistryFeature
{
    public string MapRepository(string repository, HttpRequest request) =>
        rules.IsEmpty || repository.Length == 0 ? repository : rules.MapNamespace(request.Query["ns"].LastOrDefault(), repository);

    public async Task<IResult?> HandleAsync(RegistryRequest request, OciResource resource)
    {
        if (rules.IsEmpty || rules.Match(request.Repository) is not { } target)
        {
            return null;
        }

        var method = request.Request.Method;
        var read = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
        switch (resource)
        {
            case OciResource.Uploads or OciResource.Upload:
            case OciResource.Manifest when HttpMethods.IsPut(method):
                Fail.With(ErrorKind.Denied, $"{request.Repository} is a read-only cache of {target}; push to a repository outside the cache prefixes",
                    ("repository", request.Repository));
                return null;
            case OciResource.Manifest when read:
                return new ManifestResult(await manifests.GetAsync(request.Repository, target, request.Reference, HttpMethods.IsGet(method), request.Aborted));
            case OciResource.Blob when read:
                return await blobs.GetAsync(request, target, HttpMethods.IsGet(method));
            default:
                return null;
        }
    }
}
