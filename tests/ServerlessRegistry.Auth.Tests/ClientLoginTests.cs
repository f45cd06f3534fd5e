using System.Security.Cryptography;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>Real clients (skopeo 1.9, podman 4.3) signing in with access tokens and Entra tokens, and pulling anonymously.</summary>
public sealed class ClientLoginTests(AuthFixture fixture) : IClassFixture<AuthFixture>
{
    private sealed class Scratch : IDisposable
    {
        private readonly string _root = Directory.CreateTempSubdirectory("auth-interop-").FullName;

        public Scratch()
        {
            Skopeo = new Skopeo(Sandbox);
            Podman = new Podman(Sandbox);
            Source = new OciLayoutBuilder(Path.Combine(_root, "source"));
            Image = Source.AddImage("linux", "amd64", ("hello.bin", RandomNumberGenerator.GetBytes(4096), true));
            Source.Tag(Image.Manifest, "v1");
        }

        public ContainersSandbox Sandbox { get; } = new();
        public Skopeo Skopeo { get; }
        public Podman Podman { get; }
        public OciLayoutBuilder Source { get; }
        public OciImage Image { get; }
        public string Copy(string name) => $"oci:{Path.Combine(_root, name)}:v1";

        public void Dispose()
        {
            Sandbox.Dispose();
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Remote(string repository) => $"docker://{fixture.Registry.HostPort}/{repository}:v1";

    private static Task<ProcessResult> SkopeoLoginAsync(Scratch scratch, string host, string user, string password) =>
        scratch.Sandbox.RunAsync("/usr/bin/skopeo", ["login", "--tls-verify=false", "--username", user, "--password", password, host]);

    [Fact]
    public async Task SkopeoLogsInWithAccessTokenThenCopiesBothWays()
    {
        using var scratch = new Scratch();
        var repository = AuthFixture.NewName("clients/skopeo");
        var name = AuthFixture.NewName("skopeo");
        await SkopeoLoginAsync(scratch, fixture.Registry.HostPort, name, await fixture.CreateAccessTokenAsync(name, "clients/*", "pull,push"));

        await scratch.Skopeo.CopyAsync(scratch.Source.Reference("v1"), Remote(repository));
        await scratch.Skopeo.CopyAsync(Remote(repository), scratch.Copy("copy"));
        Assert.Equal(scratch.Image.Manifest.Digest, OciLayoutBuilder.Sha256(await scratch.Skopeo.InspectRawAsync(Remote(repository))));

        // Outside the token's pattern the push is refused.
        await Assert.ThrowsAsync<InvalidOperationException>(() => scratch.Skopeo.CopyAsync(scratch.Source.Reference("v1"), Remote(AuthFixture.NewName("elsewhere/app"))));
    }

    [Fact]
    public async Task PodmanLogsInWithAccessTokenAndPulls()
    {
        using var scratch = new Scratch();
        var repository = AuthFixture.NewName("clients/podman");
        var name = AuthFixture.NewName("podman");
        var secret = await fixture.CreateAccessTokenAsync(name, "clients/*", "pull,push");
        await SkopeoLoginAsync(scratch, fixture.Registry.HostPort, name, secret);
        await scratch.Skopeo.CopyAsync(scratch.Source.Reference("v1"), Remote(repository));

        await scratch.Podman.RunAsync(["logout", "--all"]);
        await scratch.Podman.RunAsync(["login", "--tls-verify=false", "--username", name, "--password", secret, fixture.Registry.HostPort]);
        await scratch.Podman.PullAsync($"{fixture.Registry.HostPort}/{repository}:v1");
        Assert.Equal(scratch.Image.Manifest.Digest, await scratch.Podman.InspectAsync($"{fixture.Registry.HostPort}/{repository}:v1", "{{.Digest}}"));
    }

    [Fact]
    public async Task SkopeoLogsInWithEntraTokenUnderNullGuid()
    {
        using var scratch = new Scratch();
        var repository = AuthFixture.NewName("clients/entra");
        await SkopeoLoginAsync(scratch, fixture.Registry.HostPort, AuthRegistryServer.EntraUser, fixture.EntraToken());
        await scratch.Skopeo.CopyAsync(scratch.Source.Reference("v1"), Remote(repository));
        await scratch.Skopeo.CopyAsync(Remote(repository), scratch.Copy("copy"));
    }

    [Fact]
    public async Task AnonymousPullIsAllowedForPublicRepositoriesAndDeniedElsewhere()
    {
        using var publisher = new Scratch();
        var name = AuthFixture.NewName("publisher");
        await SkopeoLoginAsync(publisher, fixture.Registry.HostPort, name, await fixture.CreateAccessTokenAsync(name, "*", "pull,push"));
        var open = "public/" + AuthFixture.NewName("app");
        var closed = AuthFixture.NewName("private/app");
        await publisher.Skopeo.CopyAsync(publisher.Source.Reference("v1"), Remote(open));
        await publisher.Skopeo.CopyAsync(publisher.Source.Reference("v1"), Remote(closed));

        using var stranger = new Scratch();
        await stranger.Skopeo.CopyAsync(Remote(open), stranger.Copy("public"));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => stranger.Skopeo.CopyAsync(Remote(closed), stranger.Copy("private")));
        Assert.Contains("auth", refused.Message, StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<InvalidOperationException>(() => stranger.Skopeo.CopyAsync(stranger.Source.Reference("v1"), Remote(open)));
    }

    [Fact]
    public async Task RevokedAccessTokenIsRefusedAtOnce()
    {
        using var scratch = new Scratch();
        var repository = AuthFixture.NewName("clients/revoked");
        var name = AuthFixture.NewName("revoked");
        await SkopeoLoginAsync(scratch, fixture.Registry.HostPort, name, await fixture.CreateAccessTokenAsync(name, "clients/*", "pull,push"));
        await scratch.Skopeo.CopyAsync(scratch.Source.Reference("v1"), Remote(repository));

        Assert.Equal(0, (await fixture.CliAsync("revoke", "--name", name)).Code);
        await Assert.ThrowsAsync<InvalidOperationException>(() => scratch.Skopeo.CopyAsync(Remote(repository), scratch.Copy("after")));
    }
}
