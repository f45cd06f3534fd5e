using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// The mirror's request hook. A repository under a cache rule is read-only and read through: its manifests and blobs
/// come from the local cache when present and fresh, else from the upstream, and are stored as they pass.
/// </summary>
internal sealed class MirrorFeature(CacheRules rules) : IRegistryFeature
{
    public string MapRepository(string repository, HttpRequest request) =>
        rules.IsEmpty || repository.Length == 0 ? repository : rules.MapNamespace(request.Query["ns"].LastOrDefault(), repository);

    public Task<IResult?> HandleAsync(RegistryRequest request, OciResource resource)
    {
        if (rules.IsEmpty || rules.Match(request.Repository) is not { } target)
        {
            return Task.FromResult<IResult?>(null);
        }

        var method = request.Request.Method;
        if (resource is OciResource.Uploads or OciResource.Upload || resource == OciResource.Manifest && HttpMethods.IsPut(method))
        {
            Fail.With(ErrorKind.Denied, $"{request.Repository} is a read-only cache of {target}; push to a repository outside the cache prefixes",
                ("repository", request.Repository));
        }

        return Task.FromResult<IResult?>(null);
    }
}
