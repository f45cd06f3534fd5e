using ServerlessRegistry.Api;
using ServerlessRegistry.Core.Errors;

namespace ServerlessRegistry.Mirror;

/// <summary>
/// The mirror's request hook. A repository under a cache rule is read-only and read through: its manifests and blobs
/// come from the local cache when present (and, for tags, checked recently), else from the upstream, and are stored as
/// they pass. Deletes, tag lists and referrers are the core's, over what is cached.
/// </summary>
/// <remarks>
/// The rules are the settings' with the stored ones (<see cref="CacheRuleSet"/>). <see cref="HandleAsync"/> uses a set at most
/// Mirror:RuleRefreshInterval old (reading storage when it is older); the synchronous ?ns= mapping uses the set the last
/// request left, so on an instance idle for longer than the interval the first request may map with the older set.
/// </remarks>
internal sealed class MirrorFeature(CacheRuleSet ruleSet, MirrorManifests manifests, MirrorBlobs blobs) : IRegistryFeature
{
    public string MapRepository(string repository, HttpRequest request) =>
        ruleSet.Last is not { IsEmpty: false } rules || repository.Length == 0 ? repository : rules.MapNamespace(request.Query["ns"].LastOrDefault(), repository);

    public async Task<IResult?> HandleAsync(RegistryRequest request, OciResource resource)
    {
        var rules = await ruleSet.CurrentAsync(request.Aborted);
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
