using System.Collections.Frozen;
using ServerlessRegistry.Auth;

namespace ServerlessRegistry.Api;

/// <summary>
/// Every endpoint of the distribution API, in the spec's order (end-N ids from the spec's endpoint table).
/// Adding an endpoint is one line here and one named handler. Each line states the access the caller needs. Handlers
/// receive the route values parsed (<see cref="RegistryRequest"/>: repository, digest, manifest reference, upload id)
/// and return an <see cref="IResult"/> (<see cref="OciResults"/>).
/// </summary>
internal static class RouteTable
{
    public static readonly FrozenDictionary<(OciResource Resource, string Method), Route> Routes =
        new Dictionary<(OciResource, string), Route>
        {
            [(OciResource.Base, "GET")] = new(BaseEndpoints.GetApiVersion, Access.Authenticated),               // end-1
            [(OciResource.Blob, "GET")] = new(BlobEndpoints.GetBlob, Access.Pull),                              // end-2
            [(OciResource.Blob, "HEAD")] = new(BlobEndpoints.HeadBlob, Access.Pull),                            // end-2
            [(OciResource.Manifest, "GET")] = new(ManifestEndpoints.GetManifest, Access.Pull),                  // end-3
            [(OciResource.Manifest, "HEAD")] = new(ManifestEndpoints.HeadManifest, Access.Pull),                // end-3
            [(OciResource.Uploads, "POST")] = new(UploadEndpoints.StartBlobUpload, Access.Push),                // end-4a, 4b, 4c, 11
            [(OciResource.Upload, "PATCH")] = new(UploadEndpoints.PatchBlobData, Access.Push),                  // end-5
            [(OciResource.Upload, "PUT")] = new(UploadEndpoints.PutBlobUploadComplete, Access.Push),            // end-6
            [(OciResource.Manifest, "PUT")] = new(ManifestEndpoints.PutManifest, Access.Push),                  // end-7, 7b
            [(OciResource.Tags, "GET")] = new(CatalogEndpoints.ListTags, Access.Pull),                          // end-8a, 8b
            [(OciResource.Manifest, "DELETE")] = new(ManifestEndpoints.DeleteManifest, Access.Delete),          // end-9
            [(OciResource.Blob, "DELETE")] = new(BlobEndpoints.DeleteBlob, Access.Delete),                      // end-10
            [(OciResource.Referrers, "GET")] = new(ReferrerEndpoints.ListReferrers, Access.Pull),               // end-12a, 12b
            [(OciResource.Upload, "GET")] = new(UploadEndpoints.GetBlobUploadStatus, Access.Push),              // end-13
            [(OciResource.Upload, "DELETE")] = new(UploadEndpoints.CancelBlobUpload, Access.Push),              // end-14
            [(OciResource.Catalog, "GET")] = new(CatalogEndpoints.ListRepositories, Access.Catalog),            // _catalog
        }.ToFrozenDictionary();
}

/// <summary>One endpoint: its handler and the access its caller needs.</summary>
internal sealed record Route(RegistryHandler Handler, Access Access);
