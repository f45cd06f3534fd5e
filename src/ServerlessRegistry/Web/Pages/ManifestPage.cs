using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Manifests;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Web.Html;
using H = ServerlessRegistry.Web.Html.Html;

namespace ServerlessRegistry.Web.Pages;

/// <summary>
/// GET /r/{name}/-/manifest/{digest}: an image's config and layers, or an index's children with their platforms, and
/// the manifest's referrers grouped by artifact type. Reads the manifest, its config (images only) and its referrer rows.
/// </summary>
internal static class ManifestPage
{
    public static async Task GetAsync(WebRequest request)
    {
        request.RequirePull();
        var (name, digest) = (request.Name, request.Digest);
        var listing = await request.Services.GetRequiredService<RepositoryListing>().GetManifestAsync(name, digest, request.Aborted)
            ?? throw WebFailure.NotFound();
        var content = listing.Content;
        var bytes = content.Bytes ?? throw WebFailure.NotFound();
        var parsed = ParsedManifest.Parse(bytes, content.MediaType);
        var referrers = await request.Services.GetRequiredService<ReferrerService>().ListAsync(name, digest, null, request.Aborted);

        var details = parsed.Config is { } config
            ? await ImageAsync(request, listing, parsed, config)
            : Children(request, parsed, ManifestDetails.ChildPlatforms(bytes));
        var delete = request.Viewer.Can(name, RegistryActions.Delete)
            ? H.Of($"<p><a class=\"button danger\" href=\"{Show.RepositoryPath(name)}/-/delete?digest={digest}\">Delete this manifest</a></p>")
            : H.Empty;

        var body = H.Of($"""
            <p><a href="{Show.RepositoryPath(name)}">← {name}</a></p>
            <dl id="summary">
            <dt>Media type</dt><dd><code>{content.MediaType}</code></dd>
            {(listing.Summary.ArtifactType is { } type ? H.Of($"<dt>Artifact type</dt><dd><code>{type}</code></dd>") : H.Empty)}
            <dt>Size</dt><dd>{Show.SummarySize(listing.Summary)} <span class="muted">(manifest {Show.Size(content.Size)})</span></dd>
            <dt>Pushed</dt><dd>{Show.Time(listing.PushedAt, request.Now)}</dd>
            {(parsed.Subject is { } subject ? H.Of($"<dt>Refers to</dt><dd><a href=\"{Show.ManifestPath(name, subject.Digest)}\"><code>{subject.Digest}</code></a></dd>") : H.Empty)}
            </dl>
            {Show.Command($"docker pull {request.Host}/{name}@{digest}", client: "docker")}
            {details}
            {Referrers(name, referrers)}
            {delete}
            """);
        await request.PageAsync($"{name}@{Show.ShortDigest(digest)}", body, heading: H.Of($"Manifest <code>{digest}</code>"));
    }

    private static async Task<H> ImageAsync(WebRequest request, ManifestListing listing, ParsedManifest parsed, Descriptor config)
    {
        var image = await ManifestDetails.ReadConfigAsync(request.Services, request.Name, config, request.Aborted);
        var labels = image?.Labels is { Count: > 0 } read ? read : [.. listing.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)];
        var created = image?.Created is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var time)
            ? time
            : listing.Summary.Created;
        var entries = new List<(string Term, H Value)>
        {
            ("Config", H.Of($"<code>{config.Digest}</code> <span class=\"muted\">{config.MediaType}</span>")),
            ("Created", Show.Time(created, request.Now)),
        };
        if (listing.Summary.Platforms.Count > 0)
        {
            entries.Add(("Platform", H.Of($"{string.Join(", ", listing.Summary.Platforms)}")));
        }

        if (image?.Entrypoint is { } entrypoint)
        {
            entries.Add(("Entrypoint", H.Of($"<code>{entrypoint}</code>")));
        }

        if (image?.Cmd is { } cmd)
        {
            entries.Add(("Cmd", H.Of($"<code>{cmd}</code>")));
        }

        if (labels.Count > 0)
        {
            entries.Add(("Labels", H.Of($"<dl class=\"labels\">{H.Join(labels, l => H.Of($"<dt>{l.Key}</dt><dd>{l.Value}</dd>"))}</dl>")));
        }

        var layers = H.Join(parsed.Layers, l => H.Of($"""
            <tr><td><code>{Show.ShortDigest(l.Digest)}</code> {Show.CopyButton(l.Digest)}</td><td><code>{l.MediaType}</code></td><td class="size">{Show.Size(l.Size)}</td></tr>
            """));
        return H.Of($"""
            <section id="config" aria-labelledby="config-heading">
            <h2 id="config-heading">Configuration</h2>
            <dl>{H.Join(entries, e => H.Of($"<dt>{e.Term}</dt><dd>{e.Value}</dd>"))}</dl>
            </section>
            <h2 id="layers-heading">Layers <span class="muted">({parsed.Layers.Count})</span></h2>
            <div class="table-wrap">
            <table id="layers" aria-labelledby="layers-heading">
            <thead><tr><th scope="col">Digest</th><th scope="col">Media type</th><th scope="col" class="size">Size</th></tr></thead>
            <tbody>{layers}</tbody>
            </table>
            </div>
            """);
    }

    private static H Children(WebRequest request, ParsedManifest parsed, IReadOnlyList<string?> platforms)
    {
        var rows = H.Join(parsed.Manifests.Select((child, i) => (child, platform: i < platforms.Count ? platforms[i] : null)), c => H.Of($"""
            <tr data-digest="{c.child.Digest}">
            <td><a href="{Show.ManifestPath(request.Name, c.child.Digest)}"><code>{Show.ShortDigest(c.child.Digest)}</code></a></td>
            <td>{Platform(c.platform)}</td>
            <td><code>{c.child.MediaType}</code></td>
            <td class="size">{Show.Size(c.child.Size)}</td>
            </tr>
            """));
        return H.Of($"""
            <h2 id="children-heading">Manifests <span class="muted">({parsed.Manifests.Count})</span></h2>
            <div class="table-wrap">
            <table id="children" aria-labelledby="children-heading">
            <thead><tr><th scope="col">Digest</th><th scope="col">Platform</th><th scope="col">Media type</th><th scope="col" class="size">Size</th></tr></thead>
            <tbody>{rows}</tbody>
            </table>
            </div>
            """);
    }

    /// <summary>An index child's platform; buildx's attestation children ("unknown/unknown") are named for what they are.</summary>
    private static H Platform(string? platform) => platform switch
    {
        null => H.Raw("—"),
        Show.AttestationPlatform => H.Raw("<span title=\"unknown/unknown: a build attestation, not an image to run\">attestation</span>"),
        _ => H.Of($"{platform}"),
    };

    private static H Referrers(string name, IReadOnlyList<Referrer> referrers)
    {
        var groups = referrers.GroupBy(r => r.ArtifactType ?? "(no artifact type)").OrderBy(g => g.Key, StringComparer.Ordinal);
        var content = referrers.Count == 0
            ? H.Raw("<p class=\"muted\">Nothing refers to this manifest.</p>")
            : H.Join(groups, g => H.Of($"""
                <h3>{g.Key}</h3>
                <ul>{H.Join(g, r => H.Of($"<li><a href=\"{Show.ManifestPath(name, r.Digest)}\"><code>{Show.ShortDigest(r.Digest)}</code></a> {Show.Size(r.Size)}</li>"))}</ul>
                """));
        return H.Of($"""
            <section id="referrers" aria-labelledby="referrers-heading">
            <h2 id="referrers-heading">Referrers <span class="muted">({referrers.Count})</span></h2>
            {content}
            </section>
            """);
    }
}
