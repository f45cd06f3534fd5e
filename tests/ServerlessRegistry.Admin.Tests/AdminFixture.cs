using System.Net.Http.Headers;
using System.Text;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Admin.Tests;

/// <summary>
/// A registry with auth on and the local OIDC issuer, and the identities the admin API tells apart: an Entra admin
/// (Registry.Admin), an Entra pusher (not admin), an admin access token and a push-only access token.
/// </summary>
public sealed class AdminFixture : IAsyncLifetime
{
    public OidcIssuer Issuer { get; private set; } = null!;
    public AuthRegistryServer Registry { get; private set; } = null!;

    /// <summary>"name:secret" of an access token created with the admin action.</summary>
    public string AdminToken { get; private set; } = null!;

    /// <summary>"name:secret" of an access token that may push to every repository but is not admin.</summary>
    public string PushToken { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Issuer = await OidcIssuer.StartAsync();
        Registry = await AuthRegistryServer.StartAsync(Issuer);
        AdminToken = "ops-admin:" + await CreateTokenAsync("ops-admin", "*", "admin");
        PushToken = "ops-push:" + await CreateTokenAsync("ops-push", "*", "pull,push,delete");
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    public string EntraToken(params string[] roles) =>
        Issuer.Issue(new EntraTokenSpec(AuthRegistryServer.Tenant, AuthRegistryServer.AppIdUri) { Roles = roles });

    public static AuthenticationHeaderValue Basic(string nameAndSecret) => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(nameAndSecret)));

    public static AuthenticationHeaderValue Bearer(string token) => new("Bearer", token);

    /// <summary>Sends one admin call with the given credentials (none when null).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, AuthenticationHeaderValue? credentials, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = credentials;
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await Registry.Client.SendAsync(request);
    }

    /// <summary>The storage settings of this registry, as command-line overrides.</summary>
    public async Task<string[]> StorageArgumentsAsync()
    {
        var azurite = await Azurite.GetAsync();
        return
        [
            "--Storage:AccountName=" + Azurite.AccountName, "--Storage:AccountKey=" + Azurite.AccountKey,
            "--Storage:BlobEndpoint=" + azurite.BlobEndpoint, "--Storage:TableEndpoint=" + azurite.TableEndpoint,
            "--Storage:QueueEndpoint=" + azurite.QueueEndpoint, "--Storage:Prefix=" + Registry.Server.Prefix,
        ];
    }

    /// <summary>Runs the command line in-process: against this registry's storage, or with --registry through its admin API.</summary>
    public async Task<(int Code, string Output, string Error)> CliAsync(bool remote, string[] args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = environment ?? new Dictionary<string, string?> { ["REGISTRY_ADMIN_TOKEN"] = AdminToken };
        string[] full = remote ? [.. args, "--registry", Registry.Server.BaseAddress.ToString()] : [.. args, .. await StorageArgumentsAsync()];
        var code = await RegistryCli.RunAsync(full, output, error, name => env.GetValueOrDefault(name));
        return (code, output.ToString(), error.ToString());
    }

    private async Task<string> CreateTokenAsync(string name, string repositories, string actions)
    {
        var (code, output, error) = await CliAsync(remote: false, ["token", "create", "--name", name, "--repository", repositories, "--actions", actions]);
        Assert.True(code == 0, output + error);
        return output.Split('\n').Single(l => l.StartsWith("Password: ", StringComparison.Ordinal))["Password: ".Length..].Trim();
    }
}
