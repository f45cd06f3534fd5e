using System.Net;
using System.Text;
using System.Text.Json;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Events.Tests;

/// <summary>
/// As <see cref="EventsServer"/>, for webhooks stored at runtime: stored webhooks re-read every half second, two tries
/// before a dead letter, and the settings a stored webhook names for its secret and its Authorization header.
/// Helpers call the admin API over HTTP (auth off) and run the CLI against storage or with --registry.
/// </summary>
public sealed class StoredEndpointsServer : EventsServer
{
    public const string StoredSecret = "stored-s3cret";
    public const string SecretSetting = "Events:Secrets:StoredSecret";
    public const string TokenSetting = "Events:Secrets:StoredToken";

    /// <summary>A setting outside Events:Secrets: that a stored webhook must never be able to read (as Storage:AccountKey).</summary>
    public const string OutsideSetting = "Hooks:Outside";
    public const string OutsideValue = "outside-value";

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Events:EndpointRefreshInterval"] = "00:00:00.5",
        ["Events:MaxAttempts"] = "2",
        ["Events:FirstRetryAfter"] = "00:00:00.05",
        [SecretSetting] = StoredSecret,
        [TokenSetting] = "Bearer stored-token",
        [OutsideSetting] = OutsideValue,
    };

    public async Task<(HttpStatusCode Status, JsonElement Body)> AdminAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, "api/admin/v1/" + path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await Server.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The CLI in-process: against this registry's storage, or with --registry through its admin API.</summary>
    public async Task<(int Code, string Output, string Error)> CliAsync(bool remote, params string[] args)
    {
        string[] full = remote
            ? [.. args, "--registry", Server.BaseAddress.ToString()]
            : [.. args, .. (await Azurite.GetAsync()).RegistrySettings(Server.Prefix).Select(kv => $"--{kv.Key}={kv.Value}")];
        using var output = new StringWriter();
        using var error = new StringWriter();
        // Auth is off: the admin API takes any caller, but --registry wants credentials to send.
        var code = await RegistryCli.RunAsync(full, output, error, name => name == "REGISTRY_ADMIN_TOKEN" ? "ops:unused" : null);
        return (code, output.ToString(), error.ToString());
    }
}
