using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>What a handler gets: the HTTP exchange, the parsed path, and the registry's services.</summary>
internal sealed class RegistryRequest(HttpContext http, OciPath path)
{
    public HttpContext Http { get; } = http;
    public HttpRequest Request => Http.Request;
    public HttpResponse Response => Http.Response;
    public string Repository { get; } = path.Repository;
    public string Argument { get; } = path.Argument;
    public CancellationToken Aborted => Http.RequestAborted;

    public T Service<T>() where T : notnull => Http.RequestServices.GetRequiredService<T>();
    public UploadService Uploads => Service<UploadService>();
    public BlobService Blobs => Service<BlobService>();
    public ManifestService Manifests => Service<ManifestService>();
    public CatalogService Catalog => Service<CatalogService>();
    public ReferrerService Referrers => Service<ReferrerService>();
    public IRegistryAuthorizer Authorizer => Service<IRegistryAuthorizer>();

    public string? Query(string name) => Request.Query.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;

    /// <summary>A relative URL inside this repository; the spec allows relative Location values.</summary>
    public string RepositoryUrl(string rest) => "/v2/" + Repository + "/" + rest;
}

/// <summary>Every handler has this shape; it writes the response itself.</summary>
internal delegate Task RegistryHandler(RegistryRequest request);
