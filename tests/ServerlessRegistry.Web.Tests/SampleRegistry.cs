using System.Net.Http.Headers;
using System.Text;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Web.Tests;

/// <summary>
/// A registry with auth off (every viewer is an admin) on Azurite, shared by a test class, holding
/// <see cref="App"/> (the sample index, its older tag and README) and <see cref="Deletable"/> (the amd64 image
/// under several tags that the delete tests remove one each, so tests never depend on each other's order).
/// </summary>
public sealed class SampleRegistry : IAsyncLifetime
{
    public const string Deletable = "samples/deletable";
    public const string Many = "samples/many";
    public const int ManyTags = 101;
    public static readonly string[] DeletableTags = ["keep", "delete-me", "delete-nojs", "forged"];

    private readonly string _work = Directory.CreateTempSubdirectory("web-tests-").FullName;

    public RegistryServer Server { get; private set; } = null!;
    public ContainersSandbox Sandbox { get; } = new();
    public Skopeo Skopeo => new(Sandbox);
    public PushedImages App { get; private set; } = null!;
    public string Work => _work;

    public async Task InitializeAsync()
    {
        Server = await RegistryServer.StartAsync();
        App = await SampleImages.PushAsync(Skopeo, Server.HostPort, _work, "samples/app");
        await Skopeo.CopyAsync($"docker://{Server.HostPort}/{App.Repository}:{SampleImages.OlderTag}", $"docker://{Server.HostPort}/{Deletable}:{DeletableTags[0]}");
        await PutTagsAsync(Server.Client, Deletable, App.AmdManifestJson, DeletableTags[1..]);

        // One more tag than a page holds (100), in two requests of at most 98 tags.
        var many = Enumerable.Range(0, ManyTags).Select(i => $"t{i:D3}").ToList();
        await Skopeo.CopyAsync($"docker://{Server.HostPort}/{App.Repository}:{SampleImages.OlderTag}", $"docker://{Server.HostPort}/{Many}:{many[0]}");
        foreach (var chunk in many.Skip(1).Chunk(90))
        {
            await PutTagsAsync(Server.Client, Many, App.AmdManifestJson, chunk);
        }
    }

    /// <summary>Puts one manifest under several tags in one request (<c>?tag=</c> repeated).</summary>
    public static async Task PutTagsAsync(HttpClient client, string repository, string manifest, IReadOnlyList<string> tags)
    {
        var query = string.Concat(tags.Skip(1).Select(t => "&tag=" + t)).TrimStart('&');
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(manifest));
        content.Headers.ContentType = new MediaTypeHeaderValue(OciLayoutBuilder.ManifestType);
        using var response = await client.PutAsync($"/v2/{repository}/manifests/{tags[0]}{(query.Length > 0 ? "?" + query : "")}", content);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"PUT manifest: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The tags the distribution API lists for <paramref name="repository"/>.</summary>
    public static async Task<List<string>> TagsAsync(HttpClient client, string repository)
    {
        var json = await client.GetStringAsync($"/v2/{repository}/tags/list");
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return [.. document.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!)];
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Sandbox.Dispose();
        Directory.Delete(_work, recursive: true);
    }
}
