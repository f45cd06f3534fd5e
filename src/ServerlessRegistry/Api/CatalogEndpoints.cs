using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>Listings paged with n/last and a Link header: tags (end-8) and the catalog.</summary>
internal static class CatalogEndpoints
{
    public static async Task<IResult> ListTags(RegistryRequest request)
    {
        var (n, last) = ReadPaging(request);
        var page = await request.Catalog.ListTagsAsync(request.Repository, n, last, request.Aborted);
        return List(request, page, "tags", request.RepositoryUrl("tags/list"), ("name", request.Repository), page.HasMore ? page.Names[^1] : null);
    }

    public static async Task<IResult> ListRepositories(RegistryRequest request)
    {
        var (n, last) = ReadPaging(request);
        var page = await VisibleRepositoriesAsync(request, n is { } count ? Math.Min(count, CatalogService.MaxPageSize) : null, last);
        return List(request, page, "repositories", "/v2/_catalog", null, page.HasMore ? page.Names[^1] : null);
    }

    /// <summary>
    /// Up to <paramref name="n"/> repositories after <paramref name="last"/> that the caller may pull, and whether more
    /// such follow. Reads on past names the caller may not see until the page is full or the catalog ends, so a page
    /// is never short while visible names remain, and the Link cursor is always a name the caller was shown.
    /// </summary>
    /// <remarks>
    /// The work is bounded by one pass over the rest of the catalog, which is what an unpaged catalog request costs
    /// anyway. When every name is visible (auth off, a "*" policy) it reads n + 1 rows, as the service alone would.
    /// </remarks>
    private static async Task<NamePage> VisibleRepositoriesAsync(RegistryRequest request, int? n, string? last)
    {
        var visible = new List<string>();
        if (n == 0)
        {
            return new NamePage(visible, false);
        }

        var cursor = last;
        while (true)
        {
            // One visible name beyond the page tells whether a next page exists.
            var wanted = n is { } count ? count + 1 - visible.Count : int.MaxValue;
            var batch = await request.Catalog.ListRepositoriesAsync(Math.Min(wanted, 1000), cursor, request.Aborted);
            foreach (var name in batch.Names)
            {
                if (await request.Authorizer.CanAsync(request.Http, name, Access.Pull))
                {
                    if (visible.Count == n)
                    {
                        return new NamePage(visible, true);
                    }

                    visible.Add(name);
                }
            }

            if (!batch.HasMore)
            {
                return new NamePage(visible, false);
            }

            cursor = batch.Names[^1];
        }
    }

    private static (int? N, string? Last) ReadPaging(RegistryRequest request)
    {
        int? n = null;
        if (request.Query("n") is { } text)
        {
            if (!int.TryParse(text, System.Globalization.NumberStyles.None, null, out var value))
            {
                Fail.With(ErrorKind.PaginationNumberInvalid, "n must be a non-negative integer", ("n", text));
            }

            n = value;
        }

        return (n, request.Query("last"));
    }

    private static JsonListResult List(RegistryRequest request, NamePage page, string arrayName, string url, (string Key, string Value)? header, string? nextAfter) =>
        new("application/json", json =>
        {
            json.WriteStartObject();
            if (header is var (key, value))
            {
                json.WriteString(key, value);
            }

            json.WriteStartArray(arrayName);
            foreach (var name in page.Names)
            {
                json.WriteStringValue(name);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        })
        {
            Link = nextAfter is null ? null : $"<{url}?n={request.Query("n")}&last={Uri.EscapeDataString(nextAfter)}>; rel=\"next\"",
        };
}
