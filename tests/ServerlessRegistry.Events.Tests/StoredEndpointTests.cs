using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>
/// Webhooks stored at runtime through the admin API, apply and the CLI, beside those in settings; failed deliveries
/// through the API and the CLI with --registry.
/// </summary>
public sealed partial class StoredEndpointTests(StoredEndpointsServer fixture) : IClassFixture<StoredEndpointsServer>
{
    [Fact]
    public async Task PutGetListDeleteAndTheirRefusals()
    {
        var body = $$"""{"url":"{{fixture.Receiver.Url("crud")}}","secretSetting":"Events:Secrets:StoredSecret","actions":["PUSH","delete","push"],"repositories":["crud/**"]}""";
        var created = await fixture.AdminAsync(HttpMethod.Put, "event-endpoints/crud", body);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(["push", "delete"], created.Body.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await fixture.AdminAsync(HttpMethod.Put, "event-endpoints/crud", body)).Status);

        var got = await fixture.AdminAsync(HttpMethod.Get, "event-endpoints/webhook:crud");
        Assert.Equal(HttpStatusCode.OK, got.Status);
        Assert.Equal("stored", got.Body.GetProperty("source").GetString());
        Assert.Equal("Events:Secrets:StoredSecret", got.Body.GetProperty("secretSetting").GetString());
        Assert.Equal(fixture.Receiver.Url("crud").ToString(), got.Body.GetProperty("url").GetString());

        var list = await fixture.AdminAsync(HttpMethod.Get, "event-endpoints?n=1");
        Assert.Equal("webhook:all", Assert.Single(list.Body.GetProperty("items").EnumerateArray()).GetProperty("destination").GetString());
        var all = (await fixture.AdminAsync(HttpMethod.Get, "event-endpoints")).Body;
        Assert.Equal(["settings", "stored", "settings"], all.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("destination").GetString() is "webhook:all" or "webhook:crud" or "webhook:team").Select(i => i.GetProperty("source").GetString()));
        // Secrets and header values in settings are never answered.
        Assert.DoesNotContain(EventsServer.Secret, all.GetRawText());
        Assert.DoesNotContain("hook-token", all.GetRawText());

        await AssertRefusedAsync(HttpMethod.Put, "event-endpoints/all", body, HttpStatusCode.Conflict, "in the registry's settings");
        await AssertRefusedAsync(HttpMethod.Put, "event-endpoints/bad", """{"url":"ftp://example.com/hook"}""", HttpStatusCode.BadRequest, "url must be an absolute http(s) URL");
        await AssertRefusedAsync(HttpMethod.Put, "event-endpoints/bad", $$"""{"url":"{{fixture.Receiver.Url("x")}}","actions":["push","bogus"]}""", HttpStatusCode.BadRequest, "actions has 'bogus'");
        await AssertRefusedAsync(HttpMethod.Put, "event-endpoints/bad", """{"secretSetting":"x"}""", HttpStatusCode.BadRequest, "url");
        await AssertRefusedAsync(HttpMethod.Put, "event-endpoints/bad", """{"url":"https://example.com","secret":"plain"}""", HttpStatusCode.BadRequest, "secret");
        await AssertRefusedAsync(HttpMethod.Delete, "event-endpoints/team", null, HttpStatusCode.Conflict, "settings");

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.AdminAsync(HttpMethod.Delete, "event-endpoints/crud")).Status);
        await AssertRefusedAsync(HttpMethod.Delete, "event-endpoints/crud", null, HttpStatusCode.NotFound, "crud");
        await AssertRefusedAsync(HttpMethod.Get, "event-endpoints/crud", null, HttpStatusCode.NotFound, "crud");
    }

    [Fact]
    public async Task WebhookStoredFromTheCommandLineReceivesAPushSignedWithItsNamedSecret()
    {
        var repository = $"signed/app{Guid.NewGuid():N}"[..20];
        var set = await fixture.CliAsync(false, "events", "endpoint", "set", "signed", "--url", fixture.Receiver.Url("signed").ToString(),
            "--secret-setting", StoredEndpointsServer.SecretSetting, "--header-setting", "Authorization=" + StoredEndpointsServer.TokenSetting, "--repository", "signed/**");
        Assert.True(set.Code == 0, set.Output + set.Error);
        Assert.StartsWith("Created webhook:signed  stored", set.Output);

        // Stored by another process: the running server finds it at its next refresh, without a restart.
        var destinations = fixture.Server.Services.GetRequiredService<EventDestinations>();
        await Eventually.GetAsync(() => destinations.CurrentAsync(default).AsTask().GetAwaiter().GetResult().Find("webhook:signed"), d => d is not null, "the stored webhook");
        await fixture.Server.Client.PushImageAsync(repository, "v1");

        var delivered = await Eventually.GetAsync(() => fixture.Receiver.Accepted.Where(r => r.Hook == "signed").ToList(), r => r.Count > 0, "the stored webhook's delivery");
        var delivery = Assert.Single(delivered);
        Assert.Equal(repository, delivery.Json.RootElement.GetProperty("events")[0].GetProperty("target").GetProperty("repository").GetString());
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(StoredEndpointsServer.StoredSecret), delivery.Body));
        Assert.Equal(expected, delivery.Headers["X-Registry-Signature-256"]);
        Assert.Equal("Bearer stored-token", delivery.Headers["Authorization"]);

        var removed = await fixture.CliAsync(true, "events", "endpoint", "remove", "signed");
        Assert.Equal((0, "Removed the stored webhook signed.\n"), (removed.Code, removed.Output.ReplaceLineEndings("\n")));
    }

    [Fact]
    public async Task FailedDeliveriesAreListedAndRedeliveredThroughTheApiAndTheCommandLinePrintsTheSameEitherWay()
    {
        var repository = $"fail/app{Guid.NewGuid():N}"[..18];
        var put = await fixture.AdminAsync(HttpMethod.Put, "event-endpoints/failing", $$"""{"url":"{{fixture.Receiver.Url("failing")}}","repositories":["fail/**"]}""");
        Assert.Equal(HttpStatusCode.Created, put.Status);
        fixture.Receiver.Fail("failing", 503);
        JsonElement failed;
        try
        {
            await fixture.Server.Client.PushImageAsync(repository, "v1");
            await fixture.DrainedAsync();
            failed = Assert.Single((await fixture.AdminAsync(HttpMethod.Get, "event-deliveries/failed")).Body.GetProperty("items").EnumerateArray(),
                i => i.GetProperty("destination").GetString() == "webhook:failing" && i.GetRawText().Contains(repository, StringComparison.Ordinal));
            Assert.Equal(2, failed.GetProperty("attempts").GetInt32());
            Assert.Contains("answered 503", failed.GetProperty("lastError").GetString());

            var local = await fixture.CliAsync(false, "events", "failed");
            var remote = await fixture.CliAsync(true, "events", "failed");
            Assert.Equal((0, local.Output), (remote.Code, remote.Output));
            Assert.Contains($"webhook:failing  2 tries  last error: ", local.Output);
            var json = await fixture.CliAsync(true, "events", "failed", "--output", "json");
            Assert.Contains(failed.GetProperty("messageId").GetString()!, json.Output);
        }
        finally
        {
            fixture.Receiver.Fail("failing", 200);
        }

        await AssertRefusedAsync(HttpMethod.Post, "event-deliveries/redeliver", "{}", HttpStatusCode.BadRequest, "say which");
        var eventId = failed.GetProperty("events")[0].GetProperty("id").GetString()!;
        var moved = await fixture.AdminAsync(HttpMethod.Post, "event-deliveries/redeliver", $$"""{"ids":["{{eventId}}"]}""");
        Assert.Equal(HttpStatusCode.OK, moved.Status);
        Assert.Equal(1, moved.Body.GetProperty("deliveries").GetInt32());
        Assert.Equal(["webhook:failing"], moved.Body.GetProperty("destinations").EnumerateArray().Select(d => d.GetString()));
        var delivered = await Eventually.GetAsync(() => fixture.Receiver.Events("failing", repository), e => e.Count > 0, "the redelivered event");
        Assert.Equal(eventId, delivered[0].GetProperty("id").GetString());

        var again = await fixture.CliAsync(true, "events", "redeliver", "--id", eventId);
        Assert.Equal((1, $"events redeliver: no failed delivery has the id '{eventId}'; 'events failed' lists them."), (again.Code, again.Error.Trim()));
    }

    [Fact]
    public async Task ApplyingTheSameDocumentTwiceReportsUnchanged()
    {
        var document = """{"eventEndpoints":{"applied":{"url":"URL","actions":["delete","push"],"headerSettings":{"Authorization":"Events:Secrets:StoredToken"}}}}"""
            .Replace("URL", fixture.Receiver.Url("applied").ToString(), StringComparison.Ordinal);
        Assert.Equal("create", await ApplyAsync(document));
        Assert.Equal("unchanged", await ApplyAsync(document));
        Assert.Equal("update", await ApplyAsync(document.Replace("\"delete\",", "", StringComparison.Ordinal)));

        // One bad entry: refused, nothing written.
        var bad = """{"eventEndpoints":{"applied":{"url":"https://example.com/other"},"team":{"url":"https://example.com"}}}""";
        await AssertRefusedAsync(HttpMethod.Post, "apply", bad, HttpStatusCode.BadRequest, "eventEndpoints.team: ");
        var stored = (await fixture.AdminAsync(HttpMethod.Get, "event-endpoints/applied")).Body;
        Assert.Equal(fixture.Receiver.Url("applied").ToString(), stored.GetProperty("url").GetString());

        var endpoints = await fixture.CliAsync(false, "events", "endpoints");
        Assert.Contains($"webhook:applied  stored  {fixture.Receiver.Url("applied")}  actions: push  repositories: all", endpoints.Output);
        Assert.Equal(HttpStatusCode.NoContent, (await fixture.AdminAsync(HttpMethod.Delete, "event-endpoints/applied")).Status);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:11:00")]
    public void RefreshIntervalOutsideItsBoundsIsRefusedAtStart(string interval)
    {
        var problems = EventsOptionsCheck.Problems(new EventsOptions { EndpointRefreshInterval = TimeSpan.Parse(interval, System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Equal($"Events:EndpointRefreshInterval must be between 00:00:00.1000000 and 00:10:00; got {interval}.", Assert.Single(problems));
    }

    private async Task<string?> ApplyAsync(string document)
    {
        var (status, body) = await fixture.AdminAsync(HttpMethod.Post, "apply", document);
        Assert.Equal(HttpStatusCode.OK, status);
        return Assert.Single(body.GetProperty("changes").EnumerateArray()).GetProperty("action").GetString();
    }

    private async Task AssertRefusedAsync(HttpMethod method, string path, string? json, HttpStatusCode status, string message)
    {
        var (actual, body) = await fixture.AdminAsync(method, path, json);
        Assert.True(actual == status, $"{method} {path}: {actual} {body}");
        Assert.Contains(message, body.GetProperty("errors")[0].GetProperty("message").GetString());
    }
}
