using System.Net;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// Pulling through a cache prefix needs pull access on the local name, like any repository: anonymous pull prefixes
/// apply, and the challenge names the repository under the prefix (also when containerd's ?ns= chose it).
/// </summary>
public sealed class MirrorAuthTests
{
    [Fact]
    public async Task AnonymousPullPrefixesApplyToCachedRepositoriesAndOthersAreChallenged()
    {
        await using var upstream = await RegistryServer.StartAsync();
        var (manifest, _) = await upstream.Client.PushImageAsync("team/app", "1.0");
        await using var issuer = await OidcIssuer.StartAsync();
        await using var mirror = await AuthRegistryServer.StartAsync(issuer, new Dictionary<string, string?>
        {
            ["Mirror:Rules:0:Local"] = "up/*",
            ["Mirror:Rules:0:Upstream"] = $"http://{upstream.HostPort}/*",
            ["Mirror:Rules:0:Namespace"] = "upstream.example",
            ["Auth:AnonymousPullPrefixes:1"] = "up/team/",
        });

        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/up/team/app/manifests/1.0"));
        Assert.Equal(manifest, await mirror.Client.GetByteArrayAsync("/v2/team/app/manifests/1.0?ns=upstream.example"));

        await upstream.Client.PushImageAsync("other/app", "1.0");
        using var closed = await mirror.Client.GetAsync("/v2/up/other/app/manifests/1.0");
        using var closedByNs = await mirror.Client.GetAsync("/v2/other/app/manifests/1.0?ns=upstream.example");
        Assert.Equal(HttpStatusCode.Unauthorized, closed.StatusCode);
        Assert.Contains("repository:up/other/app:pull", closed.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, closedByNs.StatusCode);
        Assert.Contains("repository:up/other/app:pull", closedByNs.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
