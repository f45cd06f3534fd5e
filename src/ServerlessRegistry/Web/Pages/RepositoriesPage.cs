using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Web.Html;
using H = ServerlessRegistry.Web.Html.Html;
using ListingPage = ServerlessRegistry.Core.Registry.RepositoryListingPage;

namespace ServerlessRegistry.Web.Pages;

/// <summary>GET /: the repositories the viewer may pull, filtered by ?q=, 50 a page continuing ?after= a name.</summary>
internal static class RepositoriesPage
{
    public const int PageSize = 50;

    public static async Task GetAsync(WebRequest request)
    {
        var filter = request.Query("q") is { Length: > 0 } q ? q.Trim() : null;
        var after = request.Query("after") is { Length: > 0 } a ? a : null;
        var listing = request.Services.GetRequiredService<RepositoryListing>();
        var viewer = request.Viewer;
        var page = await listing.ListRepositoriesAsync(after, PageSize, filter, name => viewer.Can(name, RegistryActions.Pull), request.Aborted);

        var body = H.Of($"""
            <form role="search" method="get" action="/">
            <label for="q">Filter repositories</label>
            <input type="search" name="q" id="q" value="{filter}">
            <button type="submit">Filter</button>
            </form>
            {Table(request, page, filter, after)}
            <section id="login" aria-labelledby="login-heading">
            <h2 id="login-heading">Sign in with a client</h2>
            {Show.Command($"docker login {request.Host}", id: "login-command")}
            </section>
            """);
        await request.PageAsync("Repositories", body);
    }

    private static H Table(WebRequest request, ListingPage page, string? filter, string? after)
    {
        var next = page.Next is null ? H.Empty
            : H.Of($"<nav class=\"pager\" aria-label=\"Pages\"><a rel=\"next\" href=\"/?after={Show.Query(page.Next)}&amp;q={Show.Query(filter ?? "")}\">Next page</a></nav>");
        if (page.Repositories.Count == 0)
        {
            // A page scans a bounded part of the catalog: an empty page with a next link means "none here, look further".
            var empty = page.Next is not null ? "No repository you may see in this part of the catalog; the next page looks further."
                : filter is not null ? "No repository you may see matches this filter."
                : after is not null ? "No more repositories."
                : request.Viewer.SignedIn ? "There are no repositories you may see yet." : "There are no public repositories; sign in to see yours.";
            return H.Of($"{Layout.Notice(empty)}{next}");
        }

        var rows = H.Join(page.Repositories, r => H.Of($"""
            <tr data-repository="{r.Name}">
            <td><a href="{Show.RepositoryPath(r.Name)}">{r.Name}</a>{Description(r.Description)}</td>
            <td class="size">{r.TagCount}</td>
            <td class="size">{Show.Size(r.Size)}</td>
            <td>{Show.Time(r.LastPush, request.Now)}</td>
            </tr>
            """));
        return H.Of($"""
            <div class="table-wrap">
            <table id="repositories">
            <caption class="muted">Repositories you may pull{(filter is null ? "" : $" matching “{filter}”")}</caption>
            <thead><tr><th scope="col">Repository</th><th scope="col" class="size">Tags</th><th scope="col" class="size">Size</th><th scope="col">Last push</th></tr></thead>
            <tbody>
            {rows}
            </tbody>
            </table>
            </div>
            {next}
            """);
    }

    private static H Description(string? description) =>
        string.IsNullOrWhiteSpace(description) ? H.Empty : H.Of($"<br><span class=\"muted\">{description}</span>");
}
