using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Api.Tests;

/// <summary>
/// What the API tells the events seam, and when: after the change is stored (a refused request tells nothing), one push
/// change per tag, deletes by digest and by tag, mounts, and pulls only when some destination wants them; HEAD is not a pull.
/// The seam here is a recorder in place of the events feature.
/// </summary>
public sealed class EventSeamTests(EventSeamTests.Fixture fixture) : IClassFixture<EventSeamTests.Fixture>
{
    private readonly Recorder _events = fixture.Events.Reset();
    private readonly RegistryServer _server = fixture.Server;

    [Fact]
    public async Task AMultiTagPushIsOneChangePerTagWithTheManifestsTypeAndSize()
    {
        var (manifest, digest) = await _server.Client.PushImageAsync("seam/app", "v1");
        using (var again = await _server.Client.PutAsync($"/v2/seam/app/manifests/{digest}?tag=v2&tag=latest", Content(manifest)))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }

        var pushes = _events.Published.Where(p => p.Change.Action == ChangeAction.Push).ToList();
        Assert.Equal(["v1", "v2", "latest"], pushes.Select(p => p.Change.Tag));
        Assert.All(pushes, p =>
        {
            Assert.Equal(("seam/app", digest, OciHttp.OciManifest, (long?)manifest.Length), (p.Change.Repository, p.Change.Digest, p.Change.MediaType, p.Change.Size));
            Assert.Equal("PUT", p.Origin.Method);
            Assert.Equal(_server.HostPort, p.Origin.Host);
            Assert.Equal("anonymous", p.Origin.Actor);
        });
        // The two requests are two publications: one per request, never one per tag.
        Assert.Equal(2, pushes.Select(p => p.Batch).Distinct().Count());
    }

    [Fact]
    public async Task APushByDigestIsOneChangeWithoutATag()
    {
        var (manifest, digest) = await _server.Client.PushImageAsync("seam/bydigest", "v1");
        _events.Clear();
        (await _server.Client.PutManifestAsync("seam/bydigest", digest, manifest)).EnsureSuccessStatusCode();

        var push = Assert.Single(_events.Published);
        Assert.Equal((ChangeAction.Push, (string?)digest, (string?)null), (push.Change.Action, push.Change.Digest, push.Change.Tag));
    }

    [Fact]
    public async Task ARefusedPushTellsNothing()
    {
        var layer = OciHttp.RandomBytes(64);
        var manifest = OciHttp.ImageManifest(OciHttp.Sha256(layer), layer.Length, OciHttp.Sha256(layer), layer.Length);
        using var refused = await _server.Client.PutManifestAsync("seam/refused", "v1", manifest);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Empty(_events.Published);
    }

    [Fact]
    public async Task DeletesByTagAndByDigestAreChanges()
    {
        var (_, digest) = await _server.Client.PushImageAsync("seam/delete", "v1");
        (await _server.Client.PutManifestAsync("seam/delete", "v2", (await _server.Client.GetByteArrayAsync($"/v2/seam/delete/manifests/{digest}")))).EnsureSuccessStatusCode();
        _events.Clear();

        (await _server.Client.DeleteAsync("/v2/seam/delete/manifests/v2")).EnsureSuccessStatusCode();
        (await _server.Client.DeleteAsync($"/v2/seam/delete/manifests/{digest}")).EnsureSuccessStatusCode();
        using (var missing = await _server.Client.DeleteAsync($"/v2/seam/delete/manifests/{digest}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        Assert.Equal(
            [(ChangeAction.Delete, null, "v2"), (ChangeAction.Delete, digest, null)],
            _events.Published.Select(p => (p.Change.Action, p.Change.Digest, p.Change.Tag)));
        Assert.All(_events.Published, p => Assert.Equal("DELETE", p.Origin.Method));
    }

    [Fact]
    public async Task AMountNamesItsSourceRepository()
    {
        var blob = OciHttp.RandomBytes(256);
        var digest = await _server.Client.PushBlobAsync("seam/source", blob);
        _events.Clear();

        using var mounted = await _server.Client.PostAsync($"/v2/seam/target/blobs/uploads/?mount={digest}&from=seam/source", null);

        Assert.Equal(HttpStatusCode.Created, mounted.StatusCode);
        var mount = Assert.Single(_events.Published);
        Assert.Equal((ChangeAction.Mount, "seam/target", (string?)digest, (long?)blob.Length, (string?)"seam/source"),
            (mount.Change.Action, mount.Change.Repository, mount.Change.Digest, mount.Change.Size, mount.Change.FromRepository));
    }

    [Fact]
    public async Task PullsAreChangesOnlyWhenWantedAndHeadIsNone()
    {
        var (_, digest) = await _server.Client.PushImageAsync("seam/pull", "v1");
        _events.Clear();
        (await _server.Client.GetAsync("/v2/seam/pull/manifests/v1")).EnsureSuccessStatusCode();
        Assert.Empty(_events.Published);

        _events.WantPulls = true;
        (await _server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v2/seam/pull/manifests/v1"))).EnsureSuccessStatusCode();
        (await _server.Client.GetAsync("/v2/seam/pull/manifests/v1")).EnsureSuccessStatusCode();
        (await _server.Client.GetAsync($"/v2/seam/pull/manifests/{digest}")).EnsureSuccessStatusCode();

        Assert.Equal([("v1", digest), (null, digest)], _events.Published.Select(p => (p.Change.Tag, p.Change.Digest)));
        Assert.All(_events.Published, p => Assert.Equal((ChangeAction.Pull, "GET"), (p.Change.Action, p.Origin.Method)));
    }

    [Fact]
    public async Task ADeleteFromTheWebInterfaceIsAChangeByItsViewer()
    {
        await _server.Client.PushImageAsync("seam/web", "v1");
        _events.Clear();
        var page = await _server.Client.GetStringAsync("/r/seam/web/-/delete?tag=v1");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"|name=\"__RequestVerificationToken\" value=\"([^\"]+)\"");
        Assert.True(token.Success, page);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token.Groups[1].Success ? token.Groups[1].Value : token.Groups[2].Value,
            ["tag"] = "v1",
        });

        using var posted = await _server.Client.PostAsync("/r/seam/web/-/delete", form);

        Assert.Equal(HttpStatusCode.SeeOther, posted.StatusCode);
        var delete = Assert.Single(_events.Published);
        Assert.Equal((ChangeAction.Delete, "seam/web", (string?)null, (string?)"v1", "POST"),
            (delete.Change.Action, delete.Change.Repository, delete.Change.Digest, delete.Change.Tag, delete.Origin.Method));
    }

    private static ByteArrayContent Content(byte[] manifest)
    {
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new(OciHttp.OciManifest);
        return content;
    }

    /// <summary>One server for the class; its tests run one at a time, each on its own repositories, and start from an empty recorder.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        internal Recorder Events { get; } = new();

        public RegistryServer Server { get; private set; } = null!;

        public async Task InitializeAsync() => Server = await RegistryServer.StartAsync(services: s => s.AddSingleton<IRegistryEvents>(Events));

        public async Task DisposeAsync() => await Server.DisposeAsync();
    }

    internal sealed class Recorder : IRegistryEvents
    {
        private readonly ConcurrentQueue<(int Batch, RegistryChange Change, ChangeOrigin Origin)> _published = new();
        private int _batches;

        public bool WantPulls { get; set; }

        public IReadOnlyList<(int Batch, RegistryChange Change, ChangeOrigin Origin)> Published => [.. _published];

        public void Clear() => _published.Clear();

        public Recorder Reset()
        {
            Clear();
            WantPulls = false;
            return this;
        }

        public bool Wants(ChangeAction action) => action != ChangeAction.Pull || WantPulls;

        public Task PublishAsync(IReadOnlyList<RegistryChange> changes, ChangeOrigin origin, CancellationToken cancellationToken)
        {
            var batch = Interlocked.Increment(ref _batches);
            foreach (var change in changes)
            {
                _published.Enqueue((batch, change, origin));
            }

            return Task.CompletedTask;
        }
    }
}
