using Microsoft.Extensions.DependencyInjection;
using ServerlessRegistry.Auth;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Web.Tests;

/// <summary>
/// A registry with auth on (AuthRegistryServer: anonymous pull for "public/") and Entra sign-in through
/// <see cref="OidcIssuer"/>, shared by a test class. Holds public/app (the full sample set), team/app and other/app
/// (copies of its index), and access tokens: <see cref="Reader"/> (pull team/*) and <see cref="Deleter"/>
/// (pull and delete team/*).
/// </summary>
public sealed class AuthSampleRegistry : IAsyncLifetime
{
    public const string Public = "public/app";
    public const string Team = "team/app";
    public const string Other = "other/app";

    private readonly string _work = Directory.CreateTempSubdirectory("web-tests-auth-").FullName;

    public OidcIssuer Issuer { get; private set; } = null!;
    public AuthRegistryServer Server { get; private set; } = null!;
    public ContainersSandbox Sandbox { get; } = new();
    public PushedImages App { get; private set; } = null!;
    public (string Name, string Secret) Reader { get; private set; }
    public (string Name, string Secret) Deleter { get; private set; }

    /// <summary>What the registry logged, for a failure to show why a sign-in was refused.</summary>
    public CapturingLoggerProvider Logs { get; } = new();

    public async Task InitializeAsync()
    {
        Issuer = await OidcIssuer.StartAsync();
        Server = await AuthRegistryServer.StartAsync(Issuer, EntraSignIn.Settings(Issuer), services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(Logs));
        var store = Server.Server.Services.GetRequiredService<AccessTokenStore>();
        var expires = DateTimeOffset.UtcNow.AddDays(1);
        var (_, pusher) = await store.CreateAsync("web-pusher", ["*"], RegistryActions.All, expires, CancellationToken.None);
        Reader = ("web-reader", (await store.CreateAsync("web-reader", ["team/*"], RegistryActions.Pull, expires, CancellationToken.None)).Secret);
        Deleter = ("web-deleter", (await store.CreateAsync("web-deleter", ["team/*"], RegistryActions.Pull | RegistryActions.Delete, expires, CancellationToken.None)).Secret);

        var skopeo = new Skopeo(Sandbox);
        var credentials = "web-pusher:" + pusher;
        App = await SampleImages.PushAsync(skopeo, Server.HostPort, _work, Public, credentials);
        foreach (var repository in new[] { Team, Other })
        {
            await skopeo.CopyAsync($"docker://{Server.HostPort}/{Public}:{SampleImages.Tag}", $"docker://{Server.HostPort}/{repository}:{SampleImages.Tag}",
                "--all", "--src-creds", credentials, "--dest-creds", credentials);
        }
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Issuer.DisposeAsync();
        Logs.Dispose();
        Sandbox.Dispose();
        Directory.Delete(_work, recursive: true);
    }
}
