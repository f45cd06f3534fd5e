using ServerlessRegistry.Auth;
using ServerlessRegistry.Core.Errors;
using ServerlessRegistry.Core.Primitives;
using ServerlessRegistry.Core.Registry;

namespace ServerlessRegistry.Api;

/// <summary>Listings paged with n/last and a Link header: tags (end-8) and the catalog.</summary>
internal static class CatalogEndpoints
{
    public static async Task ListTags(RegistryRequest request)
    {
        var (n, last) = ReadPaging(request);
        var page = await request.Catalog.ListTagsAsync(request.Repository, n, last, request.Aborted);
        await WriteAsync(request, page, "tags", request.RepositoryUrl("tags/list"), ("name", request.Repository), page.HasMore ? page.Names[^1] : null);
    }

    public static async Task ListRepositories(RegistryRequest request)
    {
        var (n, last) = ReadPaging(request);
        var page = await request.Catalog.ListRepositoriesAsync(n, last, request.Aborted);
        var visible = new List<string>(page.Names.Count);
        foreach (var name in page.Names)
        {
            if (await request.Authorizer.CanAsync(request.Http, name, Access.Pull))
            {
                visible.Add(name);
            }
        }

        // Paging follows the unfiltered page, so a caller never skips names it may see.
        var next = page.HasMore ? page.Names[^1] : null;
        await WriteAsync(request, new NamePage(visible, page.HasMore), "repositories", "/v2/_catalog", null, next);
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

    private static async Task WriteAsync(RegistryRequest request, NamePage page, string arrayName, string url, (string Key, string Value)? header, string? nextAfter)
    {
        var response = request.Response;
        if (nextAfter is not null)
        {
            var n = request.Query("n");
            response.Headers.Link = $"<{url}?n={n}&last={Uri.EscapeDataString(nextAfter)}>; rel=\"next\"";
        }

        await JsonBody.WriteAsync(response, StatusCodes.Status200OK, "application/json", json =>
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
        }, request.Aborted);
    }
}
