using System.Collections.Frozen;

namespace ServerlessRegistry.Api;

/// <summary>
/// Every endpoint of the distribution API, in the spec's order (end-N ids from the spec's endpoint table).
/// Adding an endpoint is one line here and one named handler.
/// </summary>
internal static class RouteTable
{
    public static readonly FrozenDictionary<(OciResource Resource, string Method), RegistryHandler> Routes =
        new Dictionary<(OciResource, string), RegistryHandler>
        {
            [(OciResource.Base, "GET")] = BaseEndpoints.GetApiVersion,                       // end-1
            [(OciResource.Blob, "GET")] = BlobEndpoints.GetBlob,                             // end-2
            [(OciResource.Blob, "HEAD")] = BlobEndpoints.HeadBlob,                           // end-2
            [(OciResource.Manifest, "GET")] = ManifestEndpoints.GetManifest,                 // end-3
            [(OciResource.Manifest, "HEAD")] = ManifestEndpoints.HeadManifest,               // end-3
            [(OciResource.Uploads, "POST")] = UploadEndpoints.StartBlobUpload,               // end-4a, 4b, 4c, 11
            [(OciResource.Upload, "PATCH")] = UploadEndpoints.PatchBlobData,                 // end-5
            [(OciResource.Upload, "PUT")] = UploadEndpoints.PutBlobUploadComplete,           // end-6
            [(OciResource.Manifest, "PUT")] = ManifestEndpoints.PutManifest,                 // end-7, 7b
            [(OciResource.Tags, "GET")] = CatalogEndpoints.ListTags,                         // end-8a, 8b
            [(OciResource.Manifest, "DELETE")] = ManifestEndpoints.DeleteManifest,           // end-9
            [(OciResource.Blob, "DELETE")] = BlobEndpoints.DeleteBlob,                       // end-10
            [(OciResource.Referrers, "GET")] = ReferrerEndpoints.ListReferrers,              // end-12a, 12b
            [(OciResource.Upload, "GET")] = UploadEndpoints.GetBlobUploadStatus,             // end-13
            [(OciResource.Upload, "DELETE")] = UploadEndpoints.CancelBlobUpload,             // end-14
            [(OciResource.Catalog, "GET")] = CatalogEndpoints.ListRepositories,              // _catalog
        }.ToFrozenDictionary();
}
