using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Deploy.Tests;

/// <summary>
/// The published executable under the conditions the Functions host creates: port from the environment, public
/// requests proxied with X-Forwarded-*, timer invocations POSTed with the JSON envelope, auth on (as in Azure).
/// Content is seeded beforehand through an in-process registry on the same storage prefix.
/// </summary>
[Collection(PackageCollection.Name)]
public sealed class PublishedHandlerTests(PackageFixture package) : IAsyncLifetime
{
    private const string PublicHost = "registry.example.com";
    private const string Repository = "public/app";
    private readonly string _prefix = Azurite.NewPrefix();
    private Azurite _azurite = null!;
    private PublishedHandler _handler = null!;
    private byte[] _blob = [];
    private string _digest = "";

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.GetAsync();
        (_blob, _digest) = await SeedAsync();
        var environment = _azurite.RegistryEnvironment(_prefix).ToDictionary(kv => kv.Key, kv => kv.Value!);
        environment["Auth__Enabled"] = "true";
        environment["Auth__AnonymousPullPrefixes"] = "public/";
        _handler = await PublishedHandler.StartAsync(package, environment);
    }

    public async Task DisposeAsync()
    {
        await _handler.DisposeAsync();
        await DeployCleanup.DeletePrefixAsync(_azurite, _prefix);
    }

    [Fact]
    public async Task ProxiedBlobPullRedirectsToAReadUrlForTheBlob()
    {
        using var response = await SendAuthorizedAsync(HttpMethod.Get, $"/v2/{Repository}/blobs/{_digest}");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(_azurite.BlobEndpoint.ToString(), location.AbsoluteUri, StringComparison.Ordinal);
        using var storage = new HttpClient();
        Assert.Equal(_blob, await storage.GetByteArrayAsync(location));
    }

    [Fact]
    public async Task ProxiedUploadAnswersOnThePublicHost()
    {
        using var response = await _handler.Client.SendAsync(Proxied(HttpMethod.Post, $"/v2/{Repository}/blobs/uploads/"));
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            // Auth on: the challenge's realm must be absolute on the public host, or clients cannot sign in.
            Assert.StartsWith($"https://{PublicHost}/", Challenge(response)["realm"], StringComparison.Ordinal);
            return;
        }

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.StartsWith($"https://{PublicHost}/v2/{Repository}/blobs/uploads/", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CollectGarbage")]
    [InlineData("ExpireUploads")]
    public async Task TimerInvocationRunsTheJobAndAnswersTheHostEnvelope(string function)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + function)
        {
            Content = new StringContent(
                """{"Data":{"timer":{"Schedule":{"AdjustForDST":true},"ScheduleStatus":null,"IsPastDue":false}},"Metadata":{"sys":{"MethodName":"X","UtcNow":"2026-01-01T00:00:00Z","RandGuid":"0f8fad5b-d9cb-469f-a165-70867728950e"}}}""",
                Encoding.UTF8, "application/json"),
        };
        using var response = await _handler.Client.SendAsync(request);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var envelope = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = envelope.RootElement;
        Assert.Equal(JsonValueKind.Object, root.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ReturnValue").ValueKind);
        var log = Assert.Single(root.GetProperty("Logs").EnumerateArray()).GetString()!;
        // The job ran on the test's storage and its one-line summary became the invocation log.
        Assert.True(response.StatusCode == HttpStatusCode.OK, log);
        Assert.StartsWith(function + ": ", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublicCallersCannotReachTheTimerEndpoints()
    {
        using var response = await _handler.Client.SendAsync(Proxied(HttpMethod.Post, "/CollectGarbage", new StringContent("{}")));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("errors")[0].GetProperty("code").GetString()));
    }

    [Fact]
    public async Task ReadinessProbeAnswersAndLogsAreJsonLines()
    {
        using var ready = await _handler.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.NotEmpty(_handler.StdOut);
        var events = new List<int>();
        foreach (var line in _handler.StdOut.Where(l => l.Length > 0))
        {
            using var entry = JsonDocument.Parse(line);
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
            Assert.True(entry.RootElement.TryGetProperty("Category", out _), line);
            events.Add(entry.RootElement.GetProperty("EventId").GetInt32());
        }

        Assert.Contains(300, events);
    }

    private async Task<(byte[] Blob, string Digest)> SeedAsync()
    {
        await using var seeder = await SeedRegistry.StartAsync(_azurite, _prefix);
        var blob = OciHttp.RandomBytes(100_000);
        return (blob, await seeder.Client.PushBlobAsync(Repository, blob));
    }

    private static HttpRequestMessage Proxied(HttpMethod method, string path, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        // What the host's proxy adds (YARP defaults): the public host and scheme, and the client address.
        request.Headers.Add("X-Forwarded-Host", PublicHost);
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        return request;
    }

    /// <summary>Sends a proxied request; on a Bearer challenge fetches an anonymous token from its realm, as docker does.</summary>
    private async Task<HttpResponseMessage> SendAuthorizedAsync(HttpMethod method, string path)
    {
        var first = await _handler.Client.SendAsync(Proxied(method, path));
        if (first.StatusCode != HttpStatusCode.Unauthorized)
        {
            return first;
        }

        var challenge = Challenge(first);
        first.Dispose();
        var realm = new Uri(challenge["realm"]);
        Assert.Equal(PublicHost, realm.Host);
        var query = $"?service={Uri.EscapeDataString(challenge["service"])}&scope={Uri.EscapeDataString(challenge["scope"])}";
        using var tokenResponse = await _handler.Client.SendAsync(Proxied(HttpMethod.Get, realm.AbsolutePath + query));
        Assert.Equal(HttpStatusCode.OK, tokenResponse.StatusCode);
        using var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        var retry = Proxied(method, path);
        retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.RootElement.GetProperty("token").GetString());
        return await _handler.Client.SendAsync(retry);
    }

    private static Dictionary<string, string> Challenge(HttpResponseMessage response)
    {
        var header = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", header.Scheme);
        return System.Text.RegularExpressions.Regex.Matches(header.Parameter!, "(\\w+)=\"([^\"]*)\"")
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
    }
}
