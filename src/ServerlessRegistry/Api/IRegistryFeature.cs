namespace ServerlessRegistry.Api;

/// <summary>
/// The seam through which a feature takes part in /v2 requests (the mirror does; the core imports no feature).
/// Features are registered as singletons of this type; the dispatcher asks them in registration order.
/// </summary>
/// <remarks>Implementations are thread-safe and make no I/O in <see cref="MapRepository"/>.</remarks>
internal interface IRegistryFeature
{
    /// <summary>
    /// The repository the request is really about. Called before access is checked, so access is decided on the name
    /// returned (containerd's <c>?ns=upstream</c> names a repository under a cache prefix). Returns
    /// <paramref name="repository"/> when the feature has nothing to map.
    /// </summary>
    string MapRepository(string repository, HttpRequest request);

    /// <summary>
    /// Answers the request in place of the core, or returns null to let the core (or the next feature) answer.
    /// Called after access was granted, with the route values parsed.
    /// </summary>
    Task<IResult?> HandleAsync(RegistryRequest request, OciResource resource);
}
