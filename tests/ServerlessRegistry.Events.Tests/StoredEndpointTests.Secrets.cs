using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Events.Webhooks;

namespace ServerlessRegistry.Events.Tests;

/// <summary>
/// What keeps a stored webhook from leaking the registry's settings: secrets only from Events:Secrets:, https URLs
/// without user-info, and rows stored before those rules not resolved; plus unreadable rows, shadowed names and paging.
/// </summary>
public sealed partial class StoredEndpointTests
{
    [Theory]
    [InlineData("""{"url":"https://example.com/h","secretSetting":"Storage:AccountKey"}""", "secretSetting 'Storage:AccountKey' must be Events:Secrets:<name>")]
    [InlineData("""{"url":"https://example.com/h","headerSettings":{"X-Key":"AzureWebJobsStorage"}}""", "headerSettings.X-Key 'AzureWebJobsStorage' must be Events:Secrets:<name>")]
    [InlineData("""{"url":"https://example.com/h","secretSetting":"Events:Secrets:a:b"}""", "Events__Secrets__<name>")]
    [InlineData("""{"url":"https://user:hunter2@example.com/h"}""", "must not hold credentials")]
    [InlineData("""{"url":"http://example.com/h"}""", "must be https (http only to a loopback host)")]
    public async Task PutRefusesSecretsOutsideTheirSectionAndUrlsThatWouldCarryThemInClear(string body, string message)
    {
        var (status, answer) = await fixture.AdminAsync(HttpMethod.Put, "event-endpoints/leak", body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{status} {answer}");
        Assert.Contains(message, answer.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.DoesNotContain("hunter2", answer.GetRawText());
    }

    [Fact]
    public async Task ARowNamingASettingOutsideEventsSecretsIsNotResolvedAndItsDeliveriesSaySo()
    {
        // Written before the rule existed: straight to the table, past the admin API's check.
        var store = fixture.Server.Services.GetRequiredService<StoredWebhookStore>();
        await store.PutAsync(new StoredWebhook("legacy", fixture.Receiver.Url("legacy"), StoredEndpointsServer.OutsideSetting, [], [],
            new Dictionary<string, string> { ["X-Leak"] = "Storage:AccountKey" }), default);
        try
        {
            fixture.Server.Services.GetRequiredService<StoredWebhookCache>().Invalidate();
            var destination = (await fixture.Server.Services.GetRequiredService<EventDestinations>().CurrentAsync(default)).Find("webhook:legacy");

            var refused = await Assert.ThrowsAsync<DeliveryException>(() => Assert.IsType<WebhookDestination>(destination).DeliverAsync([], default));
            Assert.Contains($"the setting '{StoredEndpointsServer.OutsideSetting}' is not read: it is not under Events:Secrets:", refused.Message);
            Assert.Contains("'Storage:AccountKey' is not read", refused.Message);
            Assert.DoesNotContain(StoredEndpointsServer.OutsideValue, refused.Message);
        }
        finally
        {
            await store.RemoveAsync("legacy", default);
        }
    }

    [Fact]
    public async Task ApplyReportsAChangedFragmentAsAnUpdateAndTheCommandLineRefusesAHeaderTwice()
    {
        var url = fixture.Receiver.Url("fragment").ToString();
        var document = """{"eventEndpoints":{"fragment":{"url":"URL"}}}""";
        Assert.Equal("create", await ApplyAsync(document.Replace("URL", url, StringComparison.Ordinal)));
        // Uri equality ignores the fragment; the stored URL is what was typed, so a change to it is one.
        Assert.Equal("update", await ApplyAsync(document.Replace("URL", url + "#v2", StringComparison.Ordinal)));
        Assert.Equal("unchanged", await ApplyAsync(document.Replace("URL", url + "#v2", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.AdminAsync(HttpMethod.Delete, "event-endpoints/fragment")).Status);

        var twice = await fixture.CliAsync(false, "events", "endpoint", "set", "twice", "--url", url,
            "--header-setting", "X-A=" + StoredEndpointsServer.TokenSetting, "--header-setting", "x-a=" + StoredEndpointsServer.SecretSetting);
        Assert.Equal(2, twice.Code);
        Assert.Equal("events endpoint set: --header-setting names the header 'X-A' more than once; give each header one setting.", twice.Error.Trim());
    }

    [Fact]
    public async Task AnUnreadableRowIsRefusedNamingItAndAPutOverwritesIt()
    {
        var storage = fixture.Server.Services.GetRequiredService<RegistryStorage>();
        var table = StoredWebhookLayout.Table(storage.Layout);
        await storage.Metadata.ExecuteAsync(table, RowOperation.Upsert(new TableRow(StoredWebhookLayout.WebhooksPartition, "broken") { ["Url"] = "not a url" }), default);
        try
        {
            var (status, body) = await fixture.AdminAsync(HttpMethod.Get, "event-endpoints");
            Assert.Equal(HttpStatusCode.InternalServerError, status);
            var message = body.GetProperty("errors")[0].GetProperty("message").GetString();
            Assert.Contains("the stored webhook 'broken' is unreadable", message);
            Assert.Contains("events endpoint set broken", message);

            var put = await fixture.AdminAsync(HttpMethod.Put, "event-endpoints/broken", $$"""{"url":"{{fixture.Receiver.Url("broken")}}"}""");
            Assert.Equal(HttpStatusCode.OK, put.Status);
            Assert.Equal(HttpStatusCode.OK, (await fixture.AdminAsync(HttpMethod.Get, "event-endpoints")).Status);
        }
        finally
        {
            await fixture.Server.Services.GetRequiredService<StoredWebhookStore>().RemoveAsync("broken", default);
        }

        await AssertRefusedAsync(HttpMethod.Put, "event-endpoints/replication:backup", $$"""{"url":"{{fixture.Receiver.Url("x")}}"}""", HttpStatusCode.BadRequest,
            "'replication:backup' is not a webhook's name");
    }

    [Fact]
    public async Task AStoredWebhookWhoseNameSettingsTookLaterIsShadowedAndPagingListsBoth()
    {
        // "all" is a webhook in settings; the stored one predates it (written past the check, as it was then).
        var store = fixture.Server.Services.GetRequiredService<StoredWebhookStore>();
        await store.PutAsync(new StoredWebhook("all", fixture.Receiver.Url("shadow"), null, [], [], new Dictionary<string, string>()), default);
        try
        {
            var seen = new List<JsonElement>();
            string? last = null;
            do
            {
                var (status, page) = await fixture.AdminAsync(HttpMethod.Get, "event-endpoints?n=1" + (last is null ? "" : "&last=" + Uri.EscapeDataString(last)));
                Assert.Equal(HttpStatusCode.OK, status);
                seen.AddRange(page.GetProperty("items").EnumerateArray());
                last = page.TryGetProperty("next", out var next) ? next.GetString() : null;
            }
            while (last is not null && seen.Count < 50);

            var both = seen.Where(i => i.GetProperty("destination").GetString() == "webhook:all").ToList();
            Assert.Equal(["settings", "stored"], both.Select(i => i.GetProperty("source").GetString()));
            Assert.False(both[0].TryGetProperty("shadowed", out _));
            Assert.True(both[1].GetProperty("shadowed").GetBoolean());
            var listed = await fixture.CliAsync(true, "events", "endpoints");
            Assert.Contains($"webhook:all  stored  {fixture.Receiver.Url("shadow")}  actions: default  repositories: all  shadowed by the webhook in settings", listed.Output);
        }
        finally
        {
            await store.RemoveAsync("all", default);
        }
    }
}
