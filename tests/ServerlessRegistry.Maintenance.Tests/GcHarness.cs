using System.Net;
using System.Text;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Core.Maintenance;
using ServerlessRegistry.Core.Registry;
using ServerlessRegistry.Core.Storage;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Maintenance.Tests;

/// <summary>
/// A registry on Azurite with its own prefix, a hand-moved clock shared by pushes and GC, and a storage call counter.
/// Disposing deletes everything under the prefix.
/// </summary>
internal sealed class GcHarness : IAsyncDisposable
{
    public static readonly TimeSpan PastGrace = TimeSpan.FromHours(25);

    private GcHarness(RegistryServer server, FakeTimeProvider clock, StoragePipelineCounter counter)
    {
        Server = server;
        Clock = clock;
        Counter = counter;
    }

    public RegistryServer Server { get; }
    public FakeTimeProvider Clock { get; }
    public StoragePipelineCounter Counter { get; }
    public HttpClient Client => Server.Client;
    public RegistryStorage Storage => Server.Services.GetRequiredService<RegistryStorage>();

    /// <param name="azurite">The storage to use; the shared instance when null.</param>
    public static async Task<GcHarness> StartAsync(Azurite? azurite = null)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var counter = new StoragePipelineCounter();
        var server = await RegistryServer.StartAsync(services: s =>
        {
            s.AddSingleton<TimeProvider>(clock);
            s.AddSingleton<HttpPipelinePolicy>(counter);
        }, azurite: azurite);
        return new GcHarness(server, clock, counter);
    }

    /// <summary>One GC run; with a hook, every delete first calls it (see <see cref="HookedStorage"/>).</summary>
    public Task<GcReport> GcAsync(bool deleteUntagged = false, bool dryRun = false, Func<string, Task>? hook = null)
    {
        var options = new MaintenanceOptions { DeleteUntagged = deleteUntagged, DryRun = dryRun };
        if (hook is null)
        {
            return Server.Services.GetRequiredService<GarbageCollector>().RunAsync(options, null, CancellationToken.None);
        }

        var storage = new HookedStorage(Storage, hook).Storage;
        return new GarbageCollector(storage, new UploadExpiry(storage, Clock), Clock).RunAsync(options, null, CancellationToken.None);
    }

    /// <summary>
    /// The blob's bytes as a client would pull them, or null for 404 (or linked but missing content). The redirect
    /// is checked but its content read through the store: the moved clock signs URLs the emulator would call future.
    /// </summary>
    public async Task<byte[]?> PullBlobAsync(string repository, string digest)
    {
        using var response = await Client.GetAsync($"/v2/{repository}/blobs/{digest}");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        var link = await Server.Services.GetRequiredService<BlobService>().FindAsync(repository, digest, CancellationToken.None);
        return await Storage.Blobs.ReadAllAsync(link!.BlobName, CancellationToken.None);
    }

    public async Task<HttpStatusCode> ManifestStatusAsync(string repository, string reference)
    {
        using var response = await Client.GetAsync($"/v2/{repository}/manifests/{reference}");
        return response.StatusCode;
    }

    public async Task<List<string>> PhysicalBlobsAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Storage.Blobs.ListAsync("", CancellationToken.None))
        {
            names.Add(blob.Name);
        }

        return names;
    }

    /// <summary>Pushes a config and a layer, then a manifest under <paramref name="reference"/> (a tag or its digest).</summary>
    public async Task<Image> PushImageAsync(string repository, string? tag, byte[]? layer = null, string? subject = null, string? config = null)
    {
        var configBytes = Encoding.UTF8.GetBytes(config ?? "{\"architecture\":\"amd64\",\"os\":\"linux\",\"n\":\"" + Guid.NewGuid() + "\"}");
        layer ??= OciHttp.RandomBytes(2048);
        var configDigest = await Client.PushBlobAsync(repository, configBytes);
        var layerDigest = await Client.PushBlobAsync(repository, layer);
        var manifest = OciHttp.ImageManifest(configDigest, configBytes.Length, layerDigest, layer.Length, subject);
        var digest = OciHttp.Sha256(manifest);
        using var put = await Client.PutManifestAsync(repository, tag ?? digest, manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return new Image(digest, manifest, configDigest, configBytes, layerDigest, layer);
    }

    public async Task DeleteManifestAsync(string repository, string reference)
    {
        using var response = await Client.DeleteAsync($"/v2/{repository}/manifests/{reference}");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

internal sealed record Image(string Digest, byte[] Manifest, string ConfigDigest, byte[] Config, string LayerDigest, byte[] Layer);
