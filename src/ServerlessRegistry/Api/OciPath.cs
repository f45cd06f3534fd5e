namespace ServerlessRegistry.Api;

/// <summary>The resources of the distribution API, as the route table names them.</summary>
internal enum OciResource
{
    Base,
    Catalog,
    Tags,
    Manifest,
    Blob,
    Uploads,
    Upload,
    Referrers,
}

/// <summary>
/// A /v2/ path split into resource, repository name and trailing argument. Repository names contain '/', so the
/// resource is recognised from the end of the path (a repository may itself be called "x/blobs").
/// </summary>
internal readonly record struct OciPath(OciResource Resource, string Repository, string Argument)
{
    /// <summary>Parses the part after "/v2/". Returns false for paths that are no registry resource.</summary>
    public static bool TryParse(string path, out OciPath result)
    {
        result = default;
        if (path.Length == 0)
        {
            result = new OciPath(OciResource.Base, "", "");
            return true;
        }

        if (path == "_catalog")
        {
            result = new OciPath(OciResource.Catalog, "", "");
            return true;
        }

        var segments = path.Split('/');
        var n = segments.Length;
        if (n < 3)
        {
            return false;
        }

        string Name(int drop) => string.Join('/', segments, 0, n - drop);
        (OciResource Resource, int Drop, string Argument)? match = (segments[n - 3], segments[n - 2], segments[n - 1]) switch
        {
            (_, "tags", "list") => (OciResource.Tags, 2, ""),
            ("blobs", "uploads", "") when n >= 4 => (OciResource.Uploads, 3, ""),
            ("blobs", "uploads", var id) when n >= 4 => (OciResource.Upload, 3, id),
            (_, "blobs", "uploads") => (OciResource.Uploads, 2, ""),
            (_, "manifests", var reference) when reference.Length > 0 => (OciResource.Manifest, 2, reference),
            (_, "blobs", var digest) when digest.Length > 0 => (OciResource.Blob, 2, digest),
            (_, "referrers", var digest) when digest.Length > 0 => (OciResource.Referrers, 2, digest),
            _ => null,
        };
        if (match is not { } m)
        {
            return false;
        }

        result = new OciPath(m.Resource, Name(m.Drop), m.Argument);
        return result.Repository.Length > 0;
    }
}
