using System.Net;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Events.EventGrid;
using ServerlessRegistry.Hosting;

namespace ServerlessRegistry.Events.Tests.EventGrid;

/// <summary>
/// The Event Grid destination as the program registers it (AddRegistry), sending through a recording transport: the
/// CloudEvents 1.0 batch it posts, the token it signs with, what it filters out, and how a refusal surfaces.
/// </summary>
public sealed class EventGridDestinationTests : IDisposable
{
    private const string Endpoint = "https://topic.westeurope-1.eventgrid.azure.net/api/events";
    private const string Token = "token-from-the-app-identity";
    private const string Digest = "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

    private readonly RecordingTransport _transport = new();
    private readonly FixedTokenCredential _credential = new(Token);
    private readonly List<ServiceProvider> _providers = [];

    [Fact]
    public void NoEndpointNoDestination() =>
        Assert.DoesNotContain(Destinations([]), d => d.Name == "eventgrid");

    [Fact]
    public async Task PostsOneCloudEventsBatchSignedWithTheIdentitysToken()
    {
        var destination = EventGrid();
        var push = Event("push", "team/app", tag: "1.0");
        var delete = Event("delete", "team/app");

        await destination.DeliverAsync([push, delete], CancellationToken.None);

        var sent = Assert.Single(_transport.Requests);
        Assert.Equal(HttpMethod.Post, sent.Method);
        Assert.Equal(Endpoint, sent.Url.GetLeftPart(UriPartial.Path));
        Assert.StartsWith("application/cloudevents-batch+json", sent.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("Bearer " + Token, sent.Headers["Authorization"]);
        Assert.DoesNotContain(sent.Headers.Keys, h => h.StartsWith("aeg-sas", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(["https://eventgrid.azure.net/.default"], _credential.Scopes.Distinct());

        using var body = JsonDocument.Parse(sent.Body);
        var events = body.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, events.Count);
        AssertCloudEvent(events[0], push, "Microsoft.ContainerRegistry.ImagePushed", "team/app:1.0");
        AssertCloudEvent(events[1], delete, "Microsoft.ContainerRegistry.ImageDeleted", "team/app@" + Digest);
    }

    [Fact]
    public async Task DataIsTheDistributionEventAsJson()
    {
        var push = Event("push", "team/app", tag: "1.0");
        await EventGrid().DeliverAsync([push], CancellationToken.None);

        using var body = JsonDocument.Parse(Assert.Single(_transport.Requests).Body);
        var data = body.RootElement[0].GetProperty("data");
        Assert.Equal(JsonValueKind.Object, data.ValueKind);
        Assert.Equal(push.Id, data.GetProperty("id").GetString());
        Assert.Equal("push", data.GetProperty("action").GetString());
        Assert.Equal(push.Timestamp, data.GetProperty("timestamp").GetDateTimeOffset());
        var target = data.GetProperty("target");
        Assert.Equal("team/app", target.GetProperty("repository").GetString());
        Assert.Equal(Digest, target.GetProperty("digest").GetString());
        Assert.Equal("1.0", target.GetProperty("tag").GetString());
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", target.GetProperty("mediaType").GetString());
        Assert.Equal(1234, target.GetProperty("size").GetInt64());
        Assert.Equal("registry.example.com", data.GetProperty("request").GetProperty("host").GetString());
        Assert.Equal("alice", data.GetProperty("actor").GetProperty("name").GetString());
        Assert.False(body.RootElement[0].TryGetProperty("data_base64", out _));
    }

    [Fact]
    public async Task TheRegistrysOtherActionsHaveTypesOfTheirOwn()
    {
        var destination = EventGrid(("Actions:0", "pull"), ("Actions:1", "mount"), ("Actions:2", "fill"));
        await destination.DeliverAsync([Event("pull", "a", tag: "1"), Event("mount", "b"), Event("fill", "docker.io/library/alpine", tag: "3")], CancellationToken.None);

        using var body = JsonDocument.Parse(Assert.Single(_transport.Requests).Body);
        Assert.Equal(["ServerlessRegistry.ImagePulled", "ServerlessRegistry.BlobMounted", "ServerlessRegistry.ImageCached"],
            body.RootElement.EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(["a:1", "b@" + Digest, "docker.io/library/alpine:3"], body.RootElement.EnumerateArray().Select(e => e.GetProperty("subject").GetString()));
    }

    [Fact]
    public async Task ATagsDeletionWithoutDigestIsNamedByTag()
    {
        await EventGrid().DeliverAsync([Event("delete", "team/app", tag: "old", digest: "")], CancellationToken.None);
        using var body = JsonDocument.Parse(Assert.Single(_transport.Requests).Body);
        Assert.Equal("team/app:old", body.RootElement[0].GetProperty("subject").GetString());
    }

    [Fact]
    public void AcceptsPushAndDeleteByDefaultAsAcrPublishes()
    {
        var destination = EventGrid();
        Assert.True(destination.Accepts(Event("push", "x")));
        Assert.True(destination.Accepts(Event("delete", "x")));
        Assert.False(destination.Accepts(Event("pull", "x")));
        Assert.False(destination.Accepts(Event("mount", "x")));
        Assert.False(destination.Accepts(Event("fill", "x")));
        // So the registry builds no pull events for it.
        var eventGrid = Assert.IsType<EventGridDestination>(destination);
        Assert.True(eventGrid.CouldAccept("push"));
        Assert.False(eventGrid.CouldAccept("pull"));
    }

    [Fact]
    public void AcceptsOnlyTheConfiguredActionsAndRepositories()
    {
        var destination = EventGrid(("Actions:0", "PULL"), ("Actions:1", "push"), ("Repositories:0", "team/**"), ("Repositories:1", "base/*"));
        Assert.True(destination.Accepts(Event("pull", "team/app/web")));
        Assert.True(destination.Accepts(Event("push", "base/alpine")));
        Assert.False(destination.Accepts(Event("push", "base/alpine/edge")));
        Assert.False(destination.Accepts(Event("push", "other/app")));
        Assert.False(destination.Accepts(Event("delete", "team/app")));
        Assert.True(Assert.IsType<EventGridDestination>(destination).CouldAccept("pull"));
    }

    [Theory]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.Forbidden)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task ARefusalIsAFailedDelivery(HttpStatusCode status)
    {
        var destination = EventGrid();
        _transport.Status = status;

        var failure = await Assert.ThrowsAsync<DeliveryException>(() => destination.DeliverAsync([Event("push", "team/app", tag: "1")], CancellationToken.None));

        Assert.StartsWith($"Event Grid answered {(int)status} Refused{(int)status}", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', failure.Message);
        // One try: the delivery queue retries with back-off, not the SDK.
        Assert.Single(_transport.Requests);
    }

    [Fact]
    public async Task WithoutAPublicUrlTheSourceIsTheRequestsHost()
    {
        var destination = EventGrid(publicUrl: null);
        await destination.DeliverAsync([Event("push", "team/app", tag: "1")], CancellationToken.None);
        using var body = JsonDocument.Parse(Assert.Single(_transport.Requests).Body);
        Assert.Equal("/registries/registry.example.com", body.RootElement[0].GetProperty("source").GetString());
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }
    }

    private static void AssertCloudEvent(JsonElement cloudEvent, RegistryEvent e, string type, string subject)
    {
        Assert.Equal("1.0", cloudEvent.GetProperty("specversion").GetString());
        Assert.Equal(type, cloudEvent.GetProperty("type").GetString());
        Assert.Equal("/registries/registry.example.com:8443", cloudEvent.GetProperty("source").GetString());
        Assert.Equal(subject, cloudEvent.GetProperty("subject").GetString());
        Assert.Equal(e.Id, cloudEvent.GetProperty("id").GetString());
        Assert.Equal(e.Timestamp, cloudEvent.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("application/json", cloudEvent.GetProperty("datacontenttype").GetString());
        Assert.Equal(e.Id, cloudEvent.GetProperty("data").GetProperty("id").GetString());
    }

    private IEventDestination EventGrid(params (string Key, string Value)[] settings) => EventGrid("https://registry.example.com:8443", settings);

    private IEventDestination EventGrid(string? publicUrl, params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?> { ["Events:EventGrid:Endpoint"] = Endpoint };
        foreach (var (key, value) in settings)
        {
            all["Events:EventGrid:" + key] = value;
        }

        if (publicUrl is not null)
        {
            all["Registry:PublicUrl"] = publicUrl;
        }

        return Assert.Single(Destinations(all), d => d.Name == "eventgrid");
    }

    /// <summary>Every destination the registry's own registrations build from <paramref name="settings"/>.</summary>
    private List<IEventDestination> Destinations(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:AccountName"] = "account" })
            .AddInMemoryCollection(settings)
            .Build();
        var services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration);
        services.AddRegistry(configuration);
        services.AddSingleton<TokenCredential>(_credential);
        services.AddSingleton(new EventGridTransport(_transport));
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return [.. provider.GetServices<IEventDestinationSource>().SelectMany(s => s.Create())];
    }

    internal static RegistryEvent Event(string action, string repository, string? tag = null, string digest = Digest) => new()
    {
        Id = Guid.NewGuid().ToString(),
        Timestamp = new DateTimeOffset(2026, 12, 6, 11, 30, 15, 123, TimeSpan.Zero),
        Action = action,
        Target = new EventTarget
        {
            MediaType = "application/vnd.oci.image.manifest.v1+json",
            Digest = digest,
            Size = 1234,
            Length = 1234,
            Repository = repository,
            Tag = tag,
            Url = $"https://registry.example.com/v2/{repository}/manifests/{digest}",
        },
        Request = new EventRequest { Id = "req-1", Host = "registry.example.com", Method = "PUT", UserAgent = "docker/27" },
        Actor = new EventActor { Name = "alice" },
    };
}
