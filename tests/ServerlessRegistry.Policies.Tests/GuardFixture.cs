using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessRegistry.Policies.Quotas;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Policies.Tests;

/// <summary>
/// One registry on Azurite per test class, with a hand-moved clock, for the write guard's flow tests. Rules and locks
/// are written through <see cref="PolicyStore"/> and the server's cache is invalidated, as the CLI's change would be seen
/// by this instance at once. Tests use their own repository names, and rules scoped to them, so they never meet.
/// </summary>
public sealed class GuardFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public RegistryServer Server { get; private set; } = null!;
    public HttpClient Client => Server.Client;
    internal QuotaLedger Ledger => Server.Services.GetRequiredService<QuotaLedger>();

    public async Task InitializeAsync() =>
        Server = await RegistryServer.StartAsync(services: s => s.AddSingleton<TimeProvider>(Clock));

    public Task DisposeAsync() => Server.DisposeAsync().AsTask();

    /// <summary>A repository name no other test uses.</summary>
    public static string NewName(string stem) => $"{stem}-{Guid.NewGuid():N}"[..(stem.Length + 9)];

    internal async Task SetAsync(object rule)
    {
        await Server.Services.GetRequiredService<PolicyStore>().PutAsync(rule, default);
        Server.Services.GetRequiredService<PolicyCache>().Invalidate();
    }

    internal async Task LockAsync(string target, bool noWrite, bool noDelete)
    {
        await Server.Services.GetRequiredService<PolicyStore>().SetLockAsync(new ItemLock(LockTarget.Parse(target), noWrite, noDelete, Clock.GetUtcNow()), default);
        Server.Services.GetRequiredService<PolicyCache>().Invalidate();
    }

    /// <summary>Asserts a 403 DENIED whose message contains <paramref name="says"/>; returns the message.</summary>
    public static async Task<string> AssertDeniedAsync(HttpResponseMessage response, string says)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var error = json.RootElement.GetProperty("errors")[0];
        Assert.Equal("DENIED", error.GetProperty("code").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains(says, message, StringComparison.Ordinal);
        return message;
    }

    /// <summary>The digest a tag names, or null when the tag is gone.</summary>
    public async Task<string?> TagDigestAsync(string repository, string tag)
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.ParseAdd(OciHttp.OciManifest);
        using var response = await Client.SendAsync(request);
        return response.StatusCode == HttpStatusCode.NotFound ? null : response.Headers.GetValues("Docker-Content-Digest").Single();
    }
}

/// <summary>skopeo in a private sandbox, with an OCI layout of images (tagged "one", "two", …) to copy from. Disposing removes both.</summary>
public sealed class SkopeoScratch : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("policies-skopeo-").FullName;
    private readonly ContainersSandbox _sandbox = new();

    public SkopeoScratch(params string[] tags)
    {
        Skopeo = new Skopeo(_sandbox);
        Layout = new OciLayoutBuilder(Path.Combine(_root, "source"));
        Images = [.. tags.Select(tag =>
        {
            var image = Layout.AddImage("linux", "amd64", (tag + ".bin", System.Security.Cryptography.RandomNumberGenerator.GetBytes(2048), true));
            Layout.Tag(image.Manifest, tag);
            return image;
        })];
    }

    public Skopeo Skopeo { get; }
    public OciLayoutBuilder Layout { get; }
    public IReadOnlyList<OciImage> Images { get; }

    public void Dispose()
    {
        _sandbox.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
