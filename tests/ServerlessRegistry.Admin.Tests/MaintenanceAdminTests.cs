using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Admin.Tests;

/// <summary>
/// Usage and garbage collection over HTTP: usage pages by repository with totals over all of them; gc checks its
/// options as the gc command does and answers the report the command prints.
/// </summary>
public sealed class MaintenanceAdminTests(AdminFixture fixture) : IClassFixture<AdminFixture>
{
    [Fact]
    public async Task Usage_pages_by_repository_with_totals_over_every_repository()
    {
        await PushImageAsync(fixture, "usage/a");
        await PushImageAsync(fixture, "usage/b");

        using var response = await AdminAsync(HttpMethod.Get, "/api/admin/v1/usage?n=1");
        var first = await JsonAsync(response);
        var item = Assert.Single(first.GetProperty("items").EnumerateArray());
        Assert.Equal("usage/a", item.GetProperty("repository").GetString());
        Assert.Equal(2, item.GetProperty("blobs").GetInt32());
        Assert.Equal(1, item.GetProperty("manifests").GetInt32());
        Assert.Equal("usage/a", first.GetProperty("next").GetString());
        var totals = first.GetProperty("totals");
        Assert.Equal(2, totals.GetProperty("repositories").GetInt32());
        Assert.Equal(4, totals.GetProperty("blobs").GetInt64());

        using var next = await AdminAsync(HttpMethod.Get, "/api/admin/v1/usage?n=1&last=usage/a");
        var second = await JsonAsync(next);
        Assert.Equal("usage/b", second.GetProperty("items")[0].GetProperty("repository").GetString());
        Assert.False(second.TryGetProperty("next", out _));
        Assert.Equal(totals.GetProperty("deduplicated").GetInt64(), second.GetProperty("totals").GetProperty("deduplicated").GetInt64());
        var b = second.GetProperty("items")[0];
        Assert.Equal(item.GetProperty("logical").GetInt64() + b.GetProperty("logical").GetInt64(), totals.GetProperty("logical").GetInt64());
        // The config is the same in both images and stored once.
        Assert.True(totals.GetProperty("deduplicated").GetInt64() < totals.GetProperty("logical").GetInt64());
    }

    [Fact]
    public async Task Gc_dry_run_reports_and_a_short_grace_period_is_allowed_on_the_emulator_with_a_warning()
    {
        using var response = await AdminAsync(HttpMethod.Post, "/api/admin/v1/gc", """{"dryRun":true,"gracePeriod":"0s"}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = await JsonAsync(response);
        Assert.True(report.GetProperty("dryRun").GetBoolean());
        Assert.Equal("00:00:00", report.GetProperty("gracePeriod").GetString());
        Assert.Contains("local emulator", report.GetProperty("warning").GetString(), StringComparison.Ordinal);
        Assert.True(report.GetProperty("blobsScanned").GetInt64() >= 0);

        using var normal = await AdminAsync(HttpMethod.Post, "/api/admin/v1/gc", """{"dryRun":true}""");
        Assert.False((await JsonAsync(normal)).TryGetProperty("warning", out _));
    }

    [Theory]
    [InlineData("""{"gracePeriod":"soon"}""", "gracePeriod")]
    [InlineData("""{"gracePeriod":"-1h"}""", "gracePeriod")]
    [InlineData("""{"dryRun":"maybe"}""", "GcRequest")]
    [InlineData("""{"dryRun":true,"extra":1}""", "GcRequest")]
    public async Task Gc_refuses_bad_options_with_INVALID(string json, string named)
    {
        using var response = await AdminAsync(HttpMethod.Post, "/api/admin/v1/gc", json);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await JsonAsync(response)).GetProperty("errors")[0];
        Assert.Equal("INVALID", error.GetProperty("code").GetString());
        Assert.Contains(named, error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Pushes a config, a 1 KiB layer and a manifest tagged v1 with the push-only token, over plain HTTP.</summary>
    internal static async Task PushImageAsync(AdminFixture fixture, string repository)
    {
        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, $"oauth2/token?service=serverless-registry&scope=repository:{repository}:pull,push");
        tokenRequest.Headers.Authorization = AdminFixture.Basic(fixture.PushToken);
        using var tokenResponse = await fixture.Registry.Client.SendAsync(tokenRequest);
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
        using var client = new HttpClient { BaseAddress = fixture.Registry.Server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await client.PushImageAsync(repository, "v1");
    }

    private Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, string? json = null) =>
        fixture.SendAsync(method, path, AdminFixture.Basic(fixture.AdminToken), json);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
