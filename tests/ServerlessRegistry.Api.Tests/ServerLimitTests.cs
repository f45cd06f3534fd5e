using System.Net;
using System.Text.Json;

namespace ServerlessRegistry.Api.Tests;

/// <summary>Requests refused for their shape, before any route: each still gets the spec's error envelope.</summary>
public sealed class ServerLimitTests(RegistryFixture fixture) : IClassFixture<RegistryFixture>
{
    [Fact]
    public async Task OverlongRequestTargetGetsAnErrorEnvelope()
    {
        using var response = await fixture.Client.GetAsync("/v2/a/tags/list?x=" + new string('a', 9000));
        Assert.Equal(HttpStatusCode.RequestUriTooLong, response.StatusCode);
        await AssertEnvelopeAsync(response);
    }

    [Fact]
    public async Task OversizedHeadersGetAnErrorEnvelope()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v2/");
        for (var i = 0; i < 5; i++)
        {
            request.Headers.Add("X-Padding-" + i, new string('a', 8000));
        }

        using var response = await fixture.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        await AssertEnvelopeAsync(response);
    }

    private static async Task AssertEnvelopeAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(body).RootElement.GetProperty("errors")[0].GetProperty("code").GetString()), body);
    }
}
