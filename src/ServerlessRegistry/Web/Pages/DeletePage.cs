using ServerlessRegistry.Api;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Web.Html;
using H = ServerlessRegistry.Web.Html.Html;

namespace ServerlessRegistry.Web.Pages;

/// <summary>
/// GET /r/{name}/-/delete?tag=…|digest=… asks to confirm; POST deletes through <see cref="ManifestService.DeleteAsync"/>
/// (a tag alone, or a manifest with every tag on it) and answers 303 to the repository page. The POST checks the
/// anti-forgery token, then delete access; a viewer who may not pull sees 404, one who may pull but not delete 403. A
/// delete is an event, as through the API.
/// </summary>
internal static class DeletePage
{
    public static async Task GetAsync(WebRequest request)
    {
        var target = Target(request.Query("tag"), request.Query("digest"));
        RequireDelete(request);
        var name = request.Name;
        var what = target.IsDigest
            ? H.Of($"the manifest <code>{target.Value}</code> and every tag that points at it")
            : H.Of($"the tag <code>{target.Value}</code> (the manifest stays, reachable by digest and any other tag)");
        var back = target.IsDigest ? Show.ManifestPath(name, target.Value) : Show.RepositoryPath(name);
        var body = H.Of($"""
            <p>Delete {what} from <a href="{Show.RepositoryPath(name)}">{name}</a>? This cannot be undone.</p>
            <form method="post" action="{Show.RepositoryPath(name)}/-/delete">
            {request.AntiforgeryField()}
            <input type="hidden" name="{(target.IsDigest ? "digest" : "tag")}" value="{target.Value}">
            <button type="submit" class="danger">Delete</button>
            <a href="{back}">Cancel</a>
            </form>
            """);
        await request.PageAsync("Delete from " + name, body);
    }

    public static async Task PostAsync(WebRequest request)
    {
        await request.RequireValidPostAsync();
        var target = Target(await request.FormAsync("tag"), await request.FormAsync("digest"));
        RequireDelete(request);
        await request.Services.GetRequiredService<ManifestService>().DeleteAsync(request.Name, target, request.Aborted);
        var events = request.Services.GetRequiredService<IRegistryEvents>();
        if (events.Wants(ChangeAction.Delete))
        {
            await events.PublishAsync([RegistryChange.Deleted(request.Name, target)], ChangeOrigin.Of(request.Context, request.Viewer.Subject), request.Aborted);
        }

        WebResponse.SeeOther(request.Context, Show.RepositoryPath(request.Name));
    }

    private static void RequireDelete(WebRequest request)
    {
        request.RequirePull();
        if (!request.Viewer.Can(request.Name, RegistryActions.Delete))
        {
            throw WebFailure.Forbidden();
        }
    }

    /// <summary>Exactly one of a valid tag or a valid digest; anything else is a 400 page.</summary>
    private static ManifestReference Target(string? tag, string? digest)
    {
        if (!string.IsNullOrEmpty(tag) && string.IsNullOrEmpty(digest) && Names.IsValidTag(tag))
        {
            return new ManifestReference(tag, null);
        }

        if (string.IsNullOrEmpty(tag) && Digest.TryParse(digest, out var parsed) == DigestParseResult.Ok)
        {
            return new ManifestReference(digest!, parsed);
        }

        throw WebFailure.BadRequest("Say which tag or which digest to delete.");
    }
}
