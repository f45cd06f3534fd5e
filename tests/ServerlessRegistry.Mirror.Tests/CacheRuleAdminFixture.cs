using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Mirror.Tests;

/// <summary>
/// A registry (auth off: every caller is admin; AdminAccessTests covers access) with one settings rule, set/* → the
/// distribution upstream, stored rules re-read on every request (Mirror:RuleRefreshInterval 0), and a secret in
/// configuration for passwordSetting to name. Started once per class; each test uses rule names of its own.
/// </summary>
public sealed class CacheRuleAdminFixture : IAsyncLifetime
{
    public const string SecretKey = "Mirror:Secrets:Dist";
    public const string Secret = "s3cret-never-shown";

    public DistributionFixture Upstream { get; } = new();
    public RegistryServer Server { get; private set; } = null!;

    public string UpstreamAddress => "http://" + Upstream.Upstream.HostPort;

    /// <summary>The settings the server runs with, as the command line takes them.</summary>
    public string[] Settings =>
    [
        "--Mirror:Rules:0:Local=set/*", $"--Mirror:Rules:0:Upstream={UpstreamAddress}/*", $"--{SecretKey}={Secret}",
    ];

    public async Task InitializeAsync()
    {
        await Upstream.InitializeAsync();
        Server = await RegistryServer.StartAsync(new Dictionary<string, string?>
        {
            ["Mirror:Rules:0:Local"] = "set/*",
            ["Mirror:Rules:0:Upstream"] = UpstreamAddress + "/*",
            ["Mirror:RuleRefreshInterval"] = "00:00:00",
            [SecretKey] = Secret,
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    public Task<HttpResponseMessage> PutAsync(string name, object body) =>
        Server.Client.PutAsync("/api/admin/v1/cache-rules/" + name, new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PutRuleAsync(string name, string local, string? upstream = null) =>
        PutAsync(name, new { local = local + "/*", upstream = (upstream ?? UpstreamAddress) + "/*" });

    public async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Clone();

    /// <summary>Runs the command line in-process: against this server's storage and settings, or through its admin API.</summary>
    public async Task<(int Code, string Output, string Error)> CliAsync(bool remote, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        string[] full = remote ? [.. args, "--registry", Server.BaseAddress.ToString()] : [.. args, .. await StorageArgumentsAsync(), .. Settings];
        var code = await RegistryCli.RunAsync(full, output, error, name => name == "REGISTRY_ADMIN_TOKEN" ? "ops:any" : null);
        return (code, output.ToString(), error.ToString());
    }

    private Task<string[]> StorageArgumentsAsync() => StorageArgumentsAsync(Server.Prefix);

    /// <summary>The command line's storage settings for the shared emulator under <paramref name="prefix"/> (a new, empty one when null).</summary>
    public static async Task<string[]> StorageArgumentsAsync(string? prefix)
    {
        var azurite = await Azurite.GetAsync();
        return
        [
            "--Storage:AccountName=" + Azurite.AccountName, "--Storage:AccountKey=" + Azurite.AccountKey,
            "--Storage:BlobEndpoint=" + azurite.BlobEndpoint, "--Storage:TableEndpoint=" + azurite.TableEndpoint,
            "--Storage:QueueEndpoint=" + azurite.QueueEndpoint, "--Storage:Prefix=" + (prefix ?? Azurite.NewPrefix()),
        ];
    }
}
