using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ServerlessRegistry.Cli;
using ServerlessRegistry.Testing;

namespace ServerlessRegistry.Auth.Tests;

/// <summary>One local OIDC issuer and one registry with auth on, per test class; both stopped and cleaned up afterwards.</summary>
public sealed class AuthFixture : IAsyncLifetime
{
    public OidcIssuer Issuer { get; private set; } = null!;
    public AuthRegistryServer Registry { get; private set; } = null!;
    public HttpClient Client => Registry.Client;

    public async Task InitializeAsync()
    {
        Issuer = await OidcIssuer.StartAsync();
        Registry = await AuthRegistryServer.StartAsync(Issuer);
    }

    public async Task DisposeAsync()
    {
        await Registry.DisposeAsync();
        await Issuer.DisposeAsync();
    }

    public string EntraToken(Func<EntraTokenSpec, EntraTokenSpec>? change = null) =>
        Issuer.Issue((change ?? (s => s))(new EntraTokenSpec(AuthRegistryServer.Tenant, AuthRegistryServer.ClientId)));

    /// <summary>Runs <c>token …</c> in-process against this registry's storage; returns exit code and output.</summary>
    public async Task<(int Code, string Output)> CliAsync(params string[] args)
    {
        var azurite = await Azurite.GetAsync();
        var root = new RootCommand();
        root.Subcommands.Add(TokenCommands.Create());
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await root.Parse([
            "token", .. args,
            "--Storage:AccountName=" + Azurite.AccountName, "--Storage:AccountKey=" + Azurite.AccountKey,
            "--Storage:BlobEndpoint=" + azurite.BlobEndpoint, "--Storage:TableEndpoint=" + azurite.TableEndpoint,
            "--Storage:Prefix=" + Registry.Server.Prefix, "--Logging:LogLevel:Default=Warning",
        ]).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (code, output + error.ToString());
    }

    /// <summary>Creates an access token with the CLI and returns its secret.</summary>
    public async Task<string> CreateAccessTokenAsync(string name, string repositories, string actions = "pull,push", string expires = "30d")
    {
        var (code, output) = await CliAsync("create", "--name", name, "--repository", repositories, "--actions", actions, "--expires", expires);
        Assert.True(code == 0, output);
        return output.Split('\n').Single(l => l.StartsWith("Password: ", StringComparison.Ordinal))["Password: ".Length..].Trim();
    }

    public static string NewName(string stem) => stem + "-" + Guid.NewGuid().ToString("N")[..8];
}

/// <summary>Token protocol helpers over plain HTTP.</summary>
internal static class TokenHttp
{
    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    /// <summary>GET /oauth2/token with Basic credentials (or none) and repeated scope parameters.</summary>
    public static async Task<HttpResponseMessage> GetTokenResponseAsync(HttpClient client, (string User, string Password)? credentials, bool offline, params string[] scopes)
    {
        var query = string.Join("&", scopes.Select(s => "scope=" + Uri.EscapeDataString(s)).Append("service=registry"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/oauth2/token?" + query + (offline ? "&offline_token=true&client_id=docker" : ""));
        if (credentials is var (user, password))
        {
            request.Headers.Authorization = Basic(user, password);
        }

        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> GetTokenAsync(HttpClient client, (string User, string Password)? credentials, params string[] scopes)
    {
        using var response = await GetTokenResponseAsync(client, credentials, false, scopes);
        return await ReadOkAsync(response);
    }

    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, params (string Key, string Value)[] fields) =>
        await client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value))));

    public static async Task<JsonElement> ReadOkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Sends with a bearer token (or none).</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string? token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    public static async Task<string> ErrorCodeAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors")[0].GetProperty("code").GetString()!;

    /// <summary>A config, a layer and an image manifest tagged v1, with a bearer token (the catalog lists repositories with manifests).</summary>
    public static async Task PushImageAsync(HttpClient client, string token, string repository)
    {
        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\"}");
        var layer = OciHttp.RandomBytes(128);
        var manifest = OciHttp.ImageManifest(await PushBlobAsync(client, token, repository, config), config.Length, await PushBlobAsync(client, token, repository, layer), layer.Length);
        var content = new ByteArrayContent(manifest);
        content.Headers.ContentType = new MediaTypeHeaderValue(OciHttp.OciManifest);
        using var put = await SendAsync(client, HttpMethod.Put, $"/v2/{repository}/manifests/v1", token, content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    /// <summary>POST + PUT of one blob with a bearer token; returns the digest.</summary>
    public static async Task<string> PushBlobAsync(HttpClient client, string token, string repository, byte[] content)
    {
        var digest = OciHttp.Sha256(content);
        using var start = await SendAsync(client, HttpMethod.Post, $"/v2/{repository}/blobs/uploads/", token);
        Assert.Equal(HttpStatusCode.Accepted, start.StatusCode);
        using var put = await SendAsync(client, HttpMethod.Put, start.Headers.Location + "?digest=" + digest, token, new ByteArrayContent(content));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return digest;
    }
}
