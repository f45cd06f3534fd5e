using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ServerlessRegistry.Admin.Tests;

/// <summary>
/// Every operation of the admin route table, over HTTP: anonymous callers get 401, callers who are not admins 403, and
/// admins (Entra Registry.Admin, an admin access token, a registry token for scope registry:admin:*) get past
/// authorization. What each operation then does is tested with its feature.
/// </summary>
public sealed class AdminAccessTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    public static TheoryData<string> Operations() => [.. AdminRoutes.Operations.Where(o => !o.Anonymous).Select(o => o.Id)];

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Anonymous_callers_are_challenged(string id)
    {
        using var response = await SendAsync(id, null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("scope=\"registry:admin:*\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal("UNAUTHORIZED", await CodeAsync(response));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Callers_who_are_not_admins_are_denied(string id)
    {
        foreach (var credentials in new[] { AdminFixture.Bearer(fixture.EntraToken("Registry.Push", "Registry.Delete")), AdminFixture.Basic(fixture.PushToken) })
        {
            using var response = await SendAsync(id, credentials);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("DENIED", await CodeAsync(response));
        }
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Admins_get_past_authorization(string id)
    {
        foreach (var credentials in new[] { AdminFixture.Bearer(fixture.EntraToken("Registry.Admin")), AdminFixture.Basic(fixture.AdminToken), AdminFixture.Bearer(await RegistryTokenAsync(fixture.AdminToken)) })
        {
            using var response = await SendAsync(id, credentials);
            Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_registry_token_is_refused_the_admin_scope_unless_the_principal_is_admin()
    {
        using var denied = await SendAsync("listTokens", AdminFixture.Bearer(await RegistryTokenAsync(fixture.PushToken)));
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
        using var wrong = await fixture.SendAsync(HttpMethod.Get, "/api/admin/v1/tokens", AdminFixture.Basic("ops-admin:srt_wrong"));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task The_OpenAPI_document_needs_no_credentials_and_unknown_paths_are_404()
    {
        using var document = await fixture.SendAsync(HttpMethod.Get, "/api/admin/v1/openapi.json", null);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Equal("3.1.0", JsonDocument.Parse(await document.Content.ReadAsStringAsync()).RootElement.GetProperty("openapi").GetString());
        using var unknown = await fixture.SendAsync(HttpMethod.Get, "/api/admin/v1/nothing-here", AdminFixture.Basic(fixture.AdminToken));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        using var method = await fixture.SendAsync(HttpMethod.Patch, "/api/admin/v1/tokens", AdminFixture.Basic(fixture.AdminToken));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
    }

    /// <summary>The operation with placeholder route values and query, and an empty JSON body where it takes one.</summary>
    private Task<HttpResponseMessage> SendAsync(string id, AuthenticationHeaderValue? credentials)
    {
        var operation = AdminRoutes.ById[id];
        var path = "/api/admin/v1" + string.Concat(operation.Segments.Select(s => "/" + (s.StartsWith('{') ? "access-test" : s)));
        var query = string.Join('&', operation.Query.Where(q => q.Required).Select(q => q.Name + "=access-test/repo"));
        return fixture.SendAsync(new HttpMethod(operation.Method), query.Length > 0 ? path + "?" + query : path, credentials, operation.Body is null ? null : "{}");
    }

    /// <summary>A registry bearer token for scope registry:admin:*, as the docker token protocol issues it.</summary>
    private Task<string> RegistryTokenAsync(string nameAndSecret) => RegistryTokenAsync(fixture, nameAndSecret);

    internal static async Task<string> RegistryTokenAsync(AdminFixture fixture, string nameAndSecret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "oauth2/token?service=serverless-registry&scope=registry:admin:*");
        request.Headers.Authorization = AdminFixture.Basic(nameAndSecret);
        using var response = await fixture.Registry.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0].GetProperty("code").GetString();
}
