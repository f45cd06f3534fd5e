using System.Globalization;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Web.Html;
using H = ServerlessRegistry.Web.Html.Html;

namespace ServerlessRegistry.Web.Pages;

/// <summary>
/// GET /r/{name}: the repository's description and links (from its newest tag), README, tags (newest first, 100 a
/// page, ?page=N) and pull commands for the newest tag. 404 when the viewer may not pull it or it does not exist (the
/// same page); a repository whose tags were all deleted is still in the catalog and shows "No tags".
/// </summary>
internal static class RepositoryPage
{
    public const int TagsPerPage = 100;
    public const string HelmConfigType = "application/vnd.cncf.helm.config.v1+json";

    public static async Task GetAsync(WebRequest request)
    {
        request.RequirePull();
        var listing = request.Services.GetRequiredService<RepositoryListing>();
        var name = request.Name;
        // The README lookup does not depend on the tags: both go to storage at once.
        var readmeRead = listing.ReadmeAsync(name, request.Aborted);
        var tags = await listing.ListTagsAsync(name, request.Aborted);
        var readme = await readmeRead;
        if (tags.Count == 0)
        {
            // Only after the pull check, so an existing but hidden repository still reads as missing.
            if (!await request.Services.GetRequiredService<CatalogService>().ExistsAsync(name, request.Aborted))
            {
                throw WebFailure.NotFound();
            }

            await request.PageAsync(name, H.Raw("<p id=\"no-tags\">No tags</p>"));
            return;
        }

        var pages = (tags.Count + TagsPerPage - 1) / TagsPerPage;
        var page = int.TryParse(request.Query("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p >= 1 ? Math.Min(p, pages) : 1;
        var newest = tags[0];

        var body = H.Of($"""
            {About(newest.Summary)}
            {Pull(request, newest)}
            {(readme is null ? H.Empty : H.Of($"<article id=\"readme\" aria-label=\"README\">{Markdown.ToHtml(readme)}</article>"))}
            <h2 id="tags-heading">Tags <span class="muted">({tags.Count})</span></h2>
            {TagTable(request, tags.Skip((page - 1) * TagsPerPage).Take(TagsPerPage))}
            {Pager(name, page, pages)}
            """);
        await request.PageAsync(name, body);
    }

    /// <summary>An org.opencontainers.image.* value from the summary (full key, or the short one).</summary>
    public static string? Info(ManifestSummary summary, string key) =>
        summary.Info.TryGetValue("org.opencontainers.image." + key, out var value) || summary.Info.TryGetValue(key, out value)
            ? (string.IsNullOrWhiteSpace(value) ? null : value)
            : null;

    private static H About(ManifestSummary summary)
    {
        var description = Info(summary, "description");
        var links = new List<H>();
        if (Info(summary, "source") is { } source && Markdown.IsSafeUrl(source))
        {
            links.Add(H.Of($"<li>Source: <a href=\"{source}\" rel=\"noopener nofollow\">{source}</a></li>"));
        }

        if (Info(summary, "documentation") is { } docs && Markdown.IsSafeUrl(docs))
        {
            links.Add(H.Of($"<li>Documentation: <a href=\"{docs}\" rel=\"noopener nofollow\">{docs}</a></li>"));
        }

        if (Info(summary, "licenses") is { } licenses)
        {
            links.Add(H.Of($"<li>Licenses: {licenses}</li>"));
        }

        return H.Of($"""
            {(description is null ? H.Empty : H.Of($"<p id=\"description\">{description}</p>"))}
            {(links.Count == 0 ? H.Empty : H.Of($"<ul class=\"links\">{H.Join(links, l => l)}</ul>"))}
            """);
    }

    private static H Pull(WebRequest request, TagListing newest)
    {
        var (host, name, tag) = (request.Host, request.Name, newest.Tag);
        var last = name[(name.LastIndexOf('/') + 1)..];
        var commands = new List<(string Client, string Text)>
        {
            ("docker", $"docker pull {host}/{name}:{tag}"),
            ("podman", $"podman pull {host}/{name}:{tag}"),
            ("skopeo", $"skopeo copy docker://{host}/{name}:{tag} oci:{last}:{tag}"),
            ("oras", $"oras pull {host}/{name}:{tag}"),
        };
        if (newest.Summary.ArtifactType == HelmConfigType)
        {
            commands.Add(("helm", $"helm pull oci://{host}/{name} --version {tag}"));
        }

        return H.Of($"""
            <section id="pull" aria-labelledby="pull-heading">
            <h2 id="pull-heading">Pull <span class="muted">{tag}</span></h2>
            {H.Join(commands, c => Show.Command(c.Text, client: c.Client))}
            </section>
            """);
    }

    private static H TagTable(WebRequest request, IEnumerable<TagListing> tags)
    {
        var canDelete = request.Viewer.Can(request.Name, RegistryActions.Delete);
        var rows = H.Join(tags, t => H.Of($"""
            <tr data-tag="{t.Tag}">
            <th scope="row">{t.Tag}</th>
            <td><a href="{Show.ManifestPath(request.Name, t.Digest)}"><code>{Show.ShortDigest(t.Digest)}</code></a> {Show.CopyButton(t.Digest)}</td>
            <td class="size">{Show.SummarySize(t.Summary)}</td>
            <td class="platforms">{Show.Platforms(t.Summary.Platforms)}</td>
            <td>{Show.Time(t.PushedAt, request.Now)}</td>
            <td>{t.Summary.ArtifactType ?? "image"}</td>
            {(canDelete ? H.Of($"<td><a href=\"{Show.RepositoryPath(request.Name)}/-/delete?tag={t.Tag}\">Delete<span class=\"visually-hidden\"> {t.Tag}</span></a></td>") : H.Empty)}
            </tr>
            """));
        return H.Of($"""
            <div class="table-wrap">
            <table id="tags" aria-labelledby="tags-heading">
            <thead><tr><th scope="col">Tag</th><th scope="col">Digest</th><th scope="col" class="size">Size</th><th scope="col">Platforms</th><th scope="col">Pushed</th><th scope="col">Type</th>{(canDelete ? H.Raw("<th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th>") : H.Empty)}</tr></thead>
            <tbody>
            {rows}
            </tbody>
            </table>
            </div>
            """);
    }

    private static H Pager(string name, int page, int pages)
    {
        if (pages <= 1)
        {
            return H.Empty;
        }

        var path = Show.RepositoryPath(name);
        return H.Of($"""
            <nav class="pager" aria-label="Tag pages">
            {(page > 1 ? H.Of($"<a rel=\"prev\" href=\"{path}?page={page - 1}\">Previous tags</a>") : H.Empty)}
            <span>Page {page} of {pages}</span>
            {(page < pages ? H.Of($"<a rel=\"next\" href=\"{path}?page={page + 1}\">More tags</a>") : H.Empty)}
            </nav>
            """);
    }
}
