using ServerlessRegistry.Core.Primitives;

namespace ServerlessRegistry.Web;

/// <summary>The web interface's resources; a path names one of them (see <see cref="WebPath.Parse"/>).</summary>
internal enum WebResource
{
    /// <summary>Not the web's: the pipeline's not-found answers it.</summary>
    None,
    Repositories,
    Repository,
    Manifest,
    Delete,
    SignIn,
    SignInEntra,
    SignOut,
    Tokens,
    TokenRevoke,
    Usage,
    Static,
    /// <summary>Under a prefix the web owns (/r/, /static/, …) but no page: the web's own 404 page.</summary>
    Unknown,
}

/// <summary>
/// A path parsed into its resource and route values. Repository names may contain '/', so "/-/" separates the name
/// from a sub-page: a segment "-" is never part of a repository name.
/// </summary>
internal readonly record struct WebPath(WebResource Resource, string Name = "", string Digest = "", string File = "")
{
    public static WebPath Parse(string path) => path switch
    {
        "/" => new(WebResource.Repositories),
        "/signin" => new(WebResource.SignIn),
        "/signin/entra" => new(WebResource.SignInEntra),
        "/signout" => new(WebResource.SignOut),
        "/tokens" => new(WebResource.Tokens),
        "/tokens/revoke" => new(WebResource.TokenRevoke),
        "/usage" => new(WebResource.Usage),
        _ when path.StartsWith("/r/", StringComparison.Ordinal) => Repository(path[3..]),
        _ when path.StartsWith("/static/", StringComparison.Ordinal) => Static(path[8..]),
        _ when IsOwnedPrefix(path) => new(WebResource.Unknown),
        _ => new(WebResource.None),
    };

    private static bool IsOwnedPrefix(string path) =>
        path is "/r" or "/static" || path.StartsWith("/signin/", StringComparison.Ordinal) ||
        path.StartsWith("/tokens/", StringComparison.Ordinal) || path.StartsWith("/usage/", StringComparison.Ordinal) ||
        path.StartsWith("/signout/", StringComparison.Ordinal);

    private static WebPath Repository(string rest)
    {
        var split = rest.IndexOf("/-/", StringComparison.Ordinal);
        var name = split < 0 ? rest.TrimEnd('/') : rest[..split];
        if (!Names.IsValidRepository(name))
        {
            return new(WebResource.Unknown);
        }

        if (split < 0)
        {
            return new(WebResource.Repository, name);
        }

        var sub = rest[(split + 3)..];
        if (sub == "delete")
        {
            return new(WebResource.Delete, name);
        }

        if (sub.StartsWith("manifest/", StringComparison.Ordinal) && Core.Primitives.Digest.TryParse(sub[9..], out _) == DigestParseResult.Ok)
        {
            return new(WebResource.Manifest, name, sub[9..]);
        }

        return new(WebResource.Unknown);
    }

    private static WebPath Static(string rest)
    {
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? new(WebResource.Static, Digest: rest[..slash], File: rest[(slash + 1)..]) : new(WebResource.Unknown);
    }
}
