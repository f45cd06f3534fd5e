using Microsoft.Extensions.Options;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>
/// What a handler gets: the HTTP exchange, the route values the dispatcher parsed (each handler reads only those its
/// route has), and the registry's services, resolved once for the process.
/// </summary>
internal sealed class RegistryRequest(HttpContext http, EndpointServices services, string repository)
{
    public HttpContext Http { get; } = http;
    public HttpRequest Request => Http.Request;
    public CancellationToken Aborted => Http.RequestAborted;

    /// <summary>The repository name, already checked against the spec's grammar (empty for the base and catalog routes).</summary>
    public string Repository { get; } = repository;

    /// <summary>Blob and referrers routes: the digest in the path.</summary>
    public Digest Digest { get; init; }

    /// <summary>Manifest routes: the tag or digest in the path.</summary>
    public ManifestReference Reference { get; init; }

    /// <summary>Upload routes: the session id in the path (checked against storage by the upload service).</summary>
    public string UploadId { get; init; } = "";

    public UploadService Uploads => services.Uploads;
    public BlobService Blobs => services.Blobs;
    public ManifestService Manifests => services.Manifests;
    public CatalogService Catalog => services.Catalog;
    public ReferrerService Referrers => services.Referrers;
    public PullRecorder Pulls => services.Pulls;
    public IRegistryEvents Events => services.Events;
    public IRegistryAuthorizer Authorizer => services.Authorizer;
    public RegistryOptions Options => services.Options;

    public string? Query(string name) => Request.Query.TryGetValue(name, out var v) && v.Count > 0 ? v[^1] : null;

    /// <summary>A relative URL inside this repository; the spec allows relative Location values.</summary>
    public string RepositoryUrl(string rest) => "/v2/" + Repository + "/" + rest;
}

/// <summary>The services the endpoints use: singletons, resolved once when the dispatcher is built.</summary>
internal sealed class EndpointServices(
    UploadService uploads, BlobService blobs, ManifestService manifests, CatalogService catalog, ReferrerService referrers, PullRecorder pulls,
    IRegistryEvents events, IRegistryAuthorizer authorizer, IOptions<RegistryOptions> options, IEnumerable<IRegistryFeature> features)
{
    /// <summary>The features that take part in requests (<see cref="IRegistryFeature"/>), in registration order.</summary>
    public IRegistryFeature[] Features { get; } = [.. features];

    public UploadService Uploads { get; } = uploads;
    public BlobService Blobs { get; } = blobs;
    public ManifestService Manifests { get; } = manifests;
    public CatalogService Catalog { get; } = catalog;
    public ReferrerService Referrers { get; } = referrers;
    public PullRecorder Pulls { get; } = pulls;
    public IRegistryEvents Events { get; } = events;
    public IRegistryAuthorizer Authorizer { get; } = authorizer;
    public RegistryOptions Options { get; } = options.Value;
}

/// <summary>Every handler has this shape: it returns the response as a result, which the dispatcher executes.</summary>
internal delegate Task<IResult> RegistryHandler(RegistryRequest request);
