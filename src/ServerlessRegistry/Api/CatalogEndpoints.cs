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
        await WriteAsync(request, page, "tags", request.RepositoryUrl("tags/list"), ("name", request.Repository));
    }

    public static async Task ListRepositories(RegistryRequest request)
    {
        var (n, last) = ReadPaging(request);
        var page = await request.Catalog.ListRepositoriesAsync(n, last, request.Aborted);
        await WriteAsync(request, page, "repositories", "/v2/_catalog", null);
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

    private static async Task WriteAsync(RegistryRequest request, NamePage page, string arrayName, string url, (string Key, string Value)? header)
    {
        var response = request.Response;
        if (page.HasMore)
        {
            var next = $"{url}?n={page.Names.Count}&last={Uri.EscapeDataString(page.Names[^1])}";
            response.Headers.Link = $"<{next}>; rel=\"next\"";
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
