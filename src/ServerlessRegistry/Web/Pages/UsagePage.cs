using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Web.Html;
using H = ServerlessRegistry.Web.Html.Html;

namespace ServerlessRegistry.Web.Pages;

/// <summary>GET /usage: storage per repository, as the <c>usage</c> command reports it (<see cref="UsageReport"/>, metadata only). Admins only.</summary>
internal static class UsagePage
{
    public static async Task GetAsync(WebRequest request)
    {
        request.RequireAdmin();
        var usage = await request.Services.GetRequiredService<UsageReport>().RunAsync(request.Aborted);
        var rows = H.Join(usage.Repositories, r => H.Of($"""
            <tr data-repository="{r.Repository}">
            <th scope="row"><a href="{Show.RepositoryPath(r.Repository)}">{r.Repository}</a></th>
            <td class="size">{Show.Size(r.Logical)}</td>
            <td class="size">{Show.Size(r.Deduplicated)}</td>
            <td class="size">{Show.Size(r.Exclusive)}</td>
            <td class="size">{r.Blobs}</td>
            <td class="size">{r.Manifests}</td>
            </tr>
            """));
        var body = H.Of($"""
            <p>From metadata only. <strong>Logical</strong>: every blob and manifest the repository holds, at full size (its cost if stored alone).
            <strong>Deduplicated</strong>: its share of what is stored (each shared blob divided among the repositories linking it).
            <strong>Exclusive</strong>: bytes no other repository references (what deleting it would reclaim, after garbage collection).</p>
            <div class="table-wrap">
            <table id="usage">
            <thead><tr><th scope="col">Repository</th><th scope="col" class="size">Logical</th><th scope="col" class="size">Deduplicated</th><th scope="col" class="size">Exclusive</th><th scope="col" class="size">Blobs</th><th scope="col" class="size">Manifests</th></tr></thead>
            <tbody>{rows}</tbody>
            <tfoot><tr><th scope="row">Total</th><td class="size">{Show.Size(usage.LogicalBytes)}</td><td class="size">{Show.Size(usage.StoredBytes)}</td><td colspan="3"></td></tr></tfoot>
            </table>
            </div>
            """);
        await request.PageAsync("Usage", body);
    }
}
