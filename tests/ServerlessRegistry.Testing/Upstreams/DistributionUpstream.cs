using Xunit;

namespace ServerlessRegistry.Testing.Upstreams;

/// <summary>
/// CNCF distribution (Debian's docker-registry) as a mirror's upstream: a free loopback port, filesystem storage in a
/// temp folder (so blob GETs are answered with the bytes, not a redirect), anonymous unless <paramref name="auth"/> is
/// given. Content goes in with plain pushes through <see cref="Client"/> (see <see cref="OciHttp"/>). Disposing kills the
/// process and deletes the folder.
/// </summary>
public sealed class DistributionUpstream : IAsyncDisposable
{
    private const string Binary = "/usr/bin/docker-registry";
    private readonly TestProcess _process;
    private readonly string _root;

    private DistributionUpstream(TestProcess process, string root, int port)
    {
        _process = process;
        _root = root;
        HostPort = $"127.0.0.1:{port}";
        BaseAddress = new Uri($"http://{HostPort}/");
        Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
    }

    public string HostPort { get; }
    public Uri BaseAddress { get; }

    /// <summary>Anonymous client for pushes and checks (an auth-enabled instance refuses it).</summary>
    public HttpClient Client { get; }

    /// <summary>The last lines distribution logged (its access log included).</summary>
    public string Log => _process.Output;

    /// <param name="auth">
    /// YAML for distribution's <c>auth:</c> section, indented by two spaces, e.g.
    /// <c>  silly:\n    realm: http://…/token\n    service: test</c>. Null for anonymous access.
    /// </param>
    public static async Task<DistributionUpstream> StartAsync(string? auth = null)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: apt-get install -y docker-registry");
        }

        var root = Directory.CreateTempSubdirectory("mirror-distribution-").FullName;
        var port = Azurite.FreePort();
        var config = Path.Combine(root, "config.yml");
        var authSection = auth is null ? "" : "auth:\n" + auth + "\n";
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {Path.Combine(root, "data")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}

            """ + authSection);

        var upstream = new DistributionUpstream(TestProcess.Start(Binary, ["serve", config]), root, port);
        try
        {
            // Any answer on /v2/ (200, or 401 with auth on) means it is serving.
            await upstream._process.WaitUntilAsync(async () =>
            {
                try
                {
                    using var response = await upstream.Client.GetAsync("v2/");
                    return true;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(20), "answer /v2/");
        }
        catch
        {
            await upstream.DisposeAsync();
            throw;
        }

        return upstream;
    }

    /// <summary>
    /// POST then PUT of one blob; returns its digest. Distribution's upload Location carries a query (<c>?_state=…</c>),
    /// so the digest is appended with '&amp;', unlike <see cref="OciHttp.PushBlobAsync"/>.
    /// </summary>
    public async Task<string> PushBlobAsync(string repository, byte[] content)
    {
        var digest = OciHttp.Sha256(content);
        using var start = await Client.PostAsync($"v2/{repository}/blobs/uploads/", null);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, start.StatusCode);
        var location = start.Headers.Location!.ToString();
        using var put = await Client.PutAsync(location + (location.Contains('?') ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest), new ByteArrayContent(content));
        Assert.Equal(System.Net.HttpStatusCode.Created, put.StatusCode);
        return digest;
    }

    /// <summary>A config, one layer of <paramref name="layerSize"/> random bytes and an OCI image manifest under <paramref name="tag"/>.</summary>
    public async Task<(byte[] Manifest, string Digest)> PushImageAsync(string repository, string tag, int layerSize = 1024)
    {
        var config = System.Text.Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var layer = OciHttp.RandomBytes(layerSize);
        var manifest = OciHttp.ImageManifest(await PushBlobAsync(repository, config), config.Length, await PushBlobAsync(repository, layer), layer.Length);
        using var response = await Client.PutManifestAsync(repository, tag, manifest);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (manifest, OciHttp.Sha256(manifest));
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _process.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
